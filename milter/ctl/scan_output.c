/*
 * scan_output.c - print findings as JSON or as text (see scan_output.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/findings_json.h"
#include "scan_output.h"

/* Text of a prefix or range entry. */
static void net_text(const struct finding_net *n, char *buf, size_t size)
{
	if (n->is_range) {
		char a[IP_ADDR_TEXT_MAX], b[IP_ADDR_TEXT_MAX];
		snprintf(buf, size, "%s-%s", ip_addr_format(&n->first, a, sizeof a),
			 ip_addr_format(&n->last, b, sizeof b));
	} else {
		ip_prefix_format(&n->prefix, buf, size);
	}
}

static const char *part_path(const struct findings *f, unsigned i)
{
	const struct finding_part *p = findings_part(f, i);
	return p ? p->path : "";
}

void scan_output_json_summary(struct json *j, const struct findings *f)
{
	json_key(j, "categories");
	json_arr_begin(j);
	unsigned cats = findings_categories(f);
	for (unsigned bit = 1; bit <= CAT_LAST; bit <<= 1)
		if (cats & bit)
			json_str(j, category_name((enum category)bit));
	json_arr_end(j);
	json_key(j, "tlp");
	if (findings_tlp(f) == TLP_NONE)
		json_null(j);
	else
		json_str(j, tlp_name(findings_tlp(f)));
	json_key(j, "formats");
	json_arr_begin(j);
	unsigned fmts = findings_formats(f);
	for (int k = 0; k < FMT_COUNT; k++)
		if (fmts & (1u << k))
			json_str(j, format_name((enum incident_format)k));
	json_arr_end(j);
	/* counts only: listed people, hosts and credentials are never shown */
	json_key(j, "identifiers");
	json_obj_begin(j);
	json_key(j, "emails");
	json_uint(j, findings_email_count(f));
	json_key(j, "hostnames");
	json_uint(j, findings_host_count(f));
	json_key(j, "credentials");
	json_uint(j, findings_credential_count(f));
	json_key(j, "tlds");
	json_obj_begin(j);
	for (size_t i = 0; i < findings_tld_count(f); i++) {
		json_key(j, findings_tld(f, i)->tld);
		json_uint(j, findings_tld(f, i)->count);
	}
	json_obj_end(j);
	json_obj_end(j);
}

/* "readers": who can read the sealed parts, only when there are any, so
 * the output of a message without them is as before */
static void json_readers(struct json *j, const struct findings *f)
{
	if (findings_reader_count(f) > 0) {
		json_key(j, "readers");
		json_arr_begin(j);
	}
	for (size_t i = 0; i < findings_reader_count(f); i++) {
		const struct finding_reader *r = findings_reader(f, i);
		char id[READER_TEXT_MAX];
		json_obj_begin(j);
		json_key(j, "kind");
		json_str(j, reader_kind_name(r->id.kind));
		json_key(j, "reader");
		json_str(j, reader_format(&r->id, id, sizeof id));
		json_key(j, "part");
		json_str(j, part_path(f, r->part));
		json_obj_end(j);
	}
	if (findings_reader_count(f) > 0)
		json_arr_end(j);
}

/* "parts": every part, its status and formats */
static void json_parts(struct json *j, const struct findings *f)
{
	json_key(j, "parts");
	json_arr_begin(j);
	for (size_t i = 0; i < findings_part_count(f); i++) {
		const struct finding_part *p = findings_part(f, i);
		json_obj_begin(j);
		findings_json_part_ident(j, p);
		json_key(j, "status");
		json_str(j, part_status_name(p->status));
		json_key(j, "reason");
		if (p->reason == UNSCAN_NONE)
			json_null(j);
		else
			json_str(j, unscan_reason_name(p->reason));
		json_key(j, "formats");
		json_arr_begin(j);
		for (int k = 0; k < FMT_COUNT; k++)
			if (p->formats & (1u << k))
				json_str(j, format_name((enum incident_format)k));
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* "ips": every distinct address with where it was first seen */
static void json_ips(struct json *j, const struct findings *f)
{
	json_key(j, "ips");
	json_arr_begin(j);
	for (size_t i = 0; i < findings_ip_count(f); i++) {
		const struct finding_ip *ip = findings_ip(f, i);
		char buf[IP_ADDR_TEXT_MAX];
		json_obj_begin(j);
		json_key(j, "ip");
		json_str(j, ip_addr_format(&ip->addr, buf, sizeof buf));
		json_key(j, "count");
		json_uint(j, ip->count);
		json_key(j, "scope");
		json_str(j, ipclass_scope_name(ip->scope));
		json_key(j, "country");
		if (ip->country[0])
			json_str(j, ip->country);
		else
			json_null(j);
		json_key(j, "asn");
		if (ip->asn)
			json_uint(j, ip->asn);
		else
			json_null(j);
		json_key(j, "defanged");
		json_bool(j, ip->defanged);
		json_key(j, "part");
		json_str(j, part_path(f, ip->first_part));
		json_key(j, "offset");
		json_uint(j, ip->first_offset);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* "prefixes": every distinct network or range */
static void json_prefixes(struct json *j, const struct findings *f)
{
	json_key(j, "prefixes");
	json_arr_begin(j);
	for (size_t i = 0; i < findings_net_count(f); i++) {
		const struct finding_net *n = findings_net(f, i);
		char buf[2 * IP_ADDR_TEXT_MAX + 2];
		net_text(n, buf, sizeof buf);
		json_obj_begin(j);
		json_key(j, "prefix");
		json_str(j, buf);
		json_key(j, "range");
		json_bool(j, n->is_range);
		json_key(j, "count");
		json_uint(j, n->count);
		json_key(j, "scope");
		json_str(j, ipclass_scope_name(n->scope));
		json_key(j, "defanged");
		json_bool(j, n->defanged);
		json_key(j, "part");
		json_str(j, part_path(f, n->first_part));
		json_key(j, "offset");
		json_uint(j, n->first_offset);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void scan_output_json(FILE *out, const char *file, const struct findings *f)
{
	struct json *j = json_new(out, true);
	if (j == NULL)
		return;
	json_obj_begin(j);
	json_key(j, "file");
	json_str(j, file);
	scan_output_json_summary(j, f);
	json_key(j, "message_reason");
	if (findings_message_reason(f) == UNSCAN_NONE)
		json_null(j);
	else
		json_str(j, unscan_reason_name(findings_message_reason(f)));
	json_readers(j, f);
	json_parts(j, f);
	json_ips(j, f);
	json_prefixes(j, f);
	json_obj_end(j);
	json_free(j);
}

/* Country tally for the text summary. */
struct tally {
	char cc[3];
	size_t n;
};

static int tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->cc, y->cc);
}

/* Print "NL 5, BE 3, unknown 2" for the public addresses. */
static void print_countries(FILE *out, const struct findings *f)
{
	size_t n = findings_ip_count(f), nt = 0;
	struct tally *t = calloc(n + 1, sizeof *t);
	if (t == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct finding_ip *ip = findings_ip(f, i);
		if (ip->scope != IP_SCOPE_PUBLIC)
			continue;
		const char *cc = ip->country[0] ? ip->country : "??";
		size_t k = 0;
		while (k < nt && strcmp(t[k].cc, cc) != 0)
			k++;
		if (k == nt)
			memcpy(t[nt++].cc, cc, 3);
		t[k].n++;
	}
	qsort(t, nt, sizeof *t, tally_cmp);
	if (nt > 0) {
		fputs("  by country:", out);
		for (size_t k = 0; k < nt; k++)
			fprintf(out, "%s %s %zu", k ? "," : "", t[k].cc, t[k].n);
		fputc('\n', out);
	}
	free(t);
}

/* Counts of listed identifiers, hosts by top-level domain; no values. */
static void print_identifiers(FILE *out, const struct findings *f)
{
	if (findings_email_count(f) + findings_host_count(f) + findings_credential_count(f) == 0)
		return;
	fprintf(out, "  listed: %zu e-mail address%s, %zu hostname%s, %zu credential%s\n",
		findings_email_count(f), findings_email_count(f) == 1 ? "" : "es",
		findings_host_count(f), findings_host_count(f) == 1 ? "" : "s",
		findings_credential_count(f), findings_credential_count(f) == 1 ? "" : "s");
	if (findings_tld_count(f) == 0)
		return;
	fputs("  hostnames by top-level domain:", out);
	for (size_t i = 0; i < findings_tld_count(f); i++)
		fprintf(out, "%s %s %" PRIu32, i ? "," : "", findings_tld(f, i)->tld,
			findings_tld(f, i)->count);
	fputc('\n', out);
}

void scan_output_text(FILE *out, const char *file, const struct findings *f)
{
	unsigned cats = findings_categories(f);
	fprintf(out, "%s\n  categories:", file);
	if (cats == 0)
		fputs(" none", out);
	for (unsigned bit = 1; bit <= CAT_LAST; bit <<= 1)
		if (cats & bit)
			fprintf(out, " %s", category_name((enum category)bit));
	fputc('\n', out);
	if (findings_tlp(f) != TLP_NONE)
		fprintf(out, "  tlp: %s\n", tlp_name(findings_tlp(f)));
	unsigned fmts = findings_formats(f);
	if (fmts) {
		fputs("  formats:", out);
		for (int k = 0; k < FMT_COUNT; k++)
			if (fmts & (1u << k))
				fprintf(out, " %s", format_name((enum incident_format)k));
		fputc('\n', out);
	}
	if (findings_message_reason(f) != UNSCAN_NONE)
		fprintf(out, "  message unscannable: %s\n",
			unscan_reason_name(findings_message_reason(f)));
	fprintf(out, "  parts: %zu (%zu unscannable)\n", findings_part_count(f),
		findings_unscannable_count(f));
	for (size_t i = 0; i < findings_part_count(f); i++) {
		const struct finding_part *p = findings_part(f, i);
		fprintf(out, "    %-20s %-36s %10" PRIu64 "  %s%s%s\n", p->path, p->type, p->bytes,
			part_status_name(p->status), p->reason ? " " : "",
			p->reason ? unscan_reason_name(p->reason) : "");
	}
	for (size_t i = 0; i < findings_reader_count(f); i++) {
		const struct finding_reader *r = findings_reader(f, i);
		char id[READER_TEXT_MAX];
		fprintf(out, "  reader: %s (part %s)\n", reader_format(&r->id, id, sizeof id),
			part_path(f, r->part));
	}
	fprintf(out, "  addresses: %zu distinct (%zu public), networks: %zu (%zu public)\n",
		findings_ip_count(f), findings_public_ip_count(f), findings_net_count(f),
		findings_public_net_count(f));
	print_countries(out, f);
	print_identifiers(out, f);
	for (size_t i = 0; i < findings_ip_count(f); i++) {
		const struct finding_ip *ip = findings_ip(f, i);
		char buf[IP_ADDR_TEXT_MAX], as[16] = "--";
		if (ip->asn)
			snprintf(as, sizeof as, "AS%" PRIu32, ip->asn);
		fprintf(out, "    %-39s %-7s x%-5" PRIu32 " %-2s %-10s part %s%s\n",
			ip_addr_format(&ip->addr, buf, sizeof buf), ipclass_scope_name(ip->scope),
			ip->count, ip->country[0] ? ip->country : "--", as,
			part_path(f, ip->first_part), ip->defanged ? " (defanged)" : "");
	}
	for (size_t i = 0; i < findings_net_count(f); i++) {
		const struct finding_net *n = findings_net(f, i);
		char buf[2 * IP_ADDR_TEXT_MAX + 2];
		net_text(n, buf, sizeof buf);
		fprintf(out, "    %-39s %-7s x%-5" PRIu32 " part %s%s\n", buf, ipclass_scope_name(n->scope),
			n->count, part_path(f, n->first_part), n->defanged ? " (defanged)" : "");
	}
}
