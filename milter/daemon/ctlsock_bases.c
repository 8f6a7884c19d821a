/*
 * ctlsock_bases.c - the legal bases a jurist may name for the recipients
 * of a hold: per party of its recipients, the bases the registry lists
 * for that party that are valid on the policy's date.  show gives them
 * so that a front end (the web console) offers a choice from the
 * registry instead of free text; the approval itself is still checked
 * against the same rule (ctlsock_basis_fits()).
 *
 * held filtered by a party gives that party's bases the same way, for
 * the console's form of a bulk decision over the party's holds.
 *
 * Public (ctlsock_priv.h): ctlsock_write_bases(), ctlsock_write_party_bases().
 * Limits: parties as many as the hold's recipients; each party once.
 */
#include <string.h>

#include "ctlsock_priv.h"

/* Was party already written (an earlier recipient of h)? */
static bool seen_before(const struct store_hold_record *h, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(h->rcpts[k].party, h->rcpts[i].party) == 0)
			return true;
	return false;
}

/* The member party: the bases of party valid today (none when the
 * registry does not know it). */
static void party_bases(struct json *j, const struct ctlsock_req *r, const char *party)
{
	const struct registry_party *p = registry_party_by_id(r->reg, party);
	if (p == NULL)
		return;
	json_key(j, party);
	json_arr_begin(j);
	for (size_t b = 0; b < p->nbases; b++) {
		const struct registry_basis *x = p->bases[b];
		if (registry_basis_status(x, r->today) != BASIS_VALID)
			continue;
		json_obj_begin(j);
		json_key(j, "id");
		json_str(j, x->id);
		json_key(j, "article");
		json_str(j, x->article);
		json_key(j, "reference");
		json_str(j, x->reference);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void ctlsock_write_bases(struct ctlsock_req *r, const struct store_hold_record *h)
{
	struct json *j = r->j;
	json_key(j, "bases");
	json_obj_begin(j);
	for (size_t i = 0; r->reg != NULL && i < h->nrcpts; i++) {
		const char *party = h->rcpts[i].party;
		if (party == NULL || *party == '\0' || seen_before(h, i))
			continue;
		party_bases(j, r, party);
	}
	json_obj_end(j);
}

void ctlsock_write_party_bases(struct ctlsock_req *r, const char *party)
{
	json_key(r->j, "bases");
	json_obj_begin(r->j);
	if (r->reg != NULL && party != NULL && *party != '\0')
		party_bases(r->j, r, party);
	json_obj_end(r->j);
}
