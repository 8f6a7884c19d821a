/*
 * findings.c - the result of scanning one message (see findings.h).
 *
 * Distinct addresses and networks live in arrays (first-seen order, which
 * is what the output shows) indexed by one open-addressing hash table each,
 * so recording a match is O(1) however many the message carries.  The
 * number of distinct entries is capped (findings_set_max_entries): past the
 * cap the message is unscannable with limit-addresses, because a list we
 * could not keep whole is a list we cannot judge.
 *
 * "Structured" evidence: streams never interleave (walk.h), so the entries
 * touched by the current part are remembered in a small list; when the
 * markers later say that part was a structured incident format, exactly
 * those entries are flagged.  Cost stays O(matches).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grondslag/base/names.h"
#include "grondslag/scan/findings.h"

#define FINDINGS_DEFAULT_MAX_ENTRIES 2000000u

/* A set of 64-bit value hashes (open addressing, 0 = empty). */
struct idset {
	uint64_t *slot;
	size_t mask, used;
};

/* Hash key of an address or network; padding is always zeroed. */
struct fkey {
	uint8_t kind;		/* enum ipscan_kind */
	uint8_t len;
	struct ip_addr a, b;
};

/* Open-addressing table of indices into an array.  A slot holds the low
 * 32 bits of the key's hash (its "tag") above the index + 1 (0 = empty):
 * probing compares tags before touching the entry array, so inserting a
 * new key costs no read of the (large, cold) entry array, and growing the
 * table rehashes from the tags alone. */
struct ftable {
	uint64_t *slot;
	size_t mask;		/* capacity - 1, capacity a power of two */
	size_t used;
};

struct findings {
	struct finding_part *parts;
	size_t nparts, capparts;

	struct finding_ip *ips;
	uint32_t *ip_last_part;
	size_t nips, capips;
	struct ftable iptab;

	struct finding_net *nets;
	struct fkey *netkeys;
	uint32_t *net_last_part;
	size_t nnets, capnets;
	struct ftable nettab;

	/* entries touched by the part being scanned (see top comment) */
	unsigned touched_part;
	uint32_t *touched;	/* index | TOUCH_NET */
	size_t ntouched, captouched;

	struct finding_reader *readers;
	size_t nreaders, capreaders;

	size_t public_ips, public_nets;
	struct idset emails, hosts;	/* hashes only: values are not kept */
	struct finding_host *hostv;	/* the distinct hosts, for the constituency */
	size_t caphostv;
	uint32_t credentials;
	struct finding_tld tlds[FINDINGS_TLD_MAX];
	size_t ntlds;
	unsigned email_threshold, host_threshold;
	/* sealed parts the escrow key did not open: how many, the first
	 * reason, and whether one failed for a reason that may pass */
	unsigned decrypt_failed;
	const char *decrypt_why;
	bool decrypt_temporary;
	size_t max_entries;
	enum tlp_level tlp;
	enum unscan_reason message_reason;
	unsigned categories;
	bool oom;
};

#define TOUCH_NET 0x80000000u
#define IDENT_DEFAULT_THRESHOLD 3u
#define NO_PART UINT32_MAX

/* Grow an array to hold at least want elements (doubling). */
static bool grow(void **arr, size_t *cap, size_t want, size_t elsize)
{
	if (want <= *cap)
		return true;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < want)
		ncap *= 2;
	if (ncap > SIZE_MAX / elsize)
		return false;
	void *n = realloc(*arr, ncap * elsize);
	if (n == NULL)
		return false;
	*arr = n;
	*cap = ncap;
	return true;
}

/* 64-bit finaliser (splitmix64): every input bit reaches every output bit,
 * so the low bits used as the slot index are well mixed. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Hash of a key: its address words, then the second address and kind.
 * Word loads through memcpy (the key has no alignment promise). */
static uint64_t key_hash(const struct fkey *k)
{
	uint64_t w[4];
	memcpy(&w[0], k->a.octet, 8);
	memcpy(&w[1], k->a.octet + 8, 8);
	memcpy(&w[2], k->b.octet, 8);
	memcpy(&w[3], k->b.octet + 8, 8);
	uint64_t tag = (uint64_t)k->kind << 16 | (uint64_t)k->len << 8 | k->a.family;
	uint64_t h = mix64(w[0] ^ tag);
	h = mix64(h ^ w[1]);
	if (k->kind != IPSCAN_ADDR)
		h = mix64(h ^ w[2] ^ mix64(w[3] ^ k->b.family));
	return h;
}

static void key_of_addr(struct fkey *k, const struct ip_addr *a)
{
	memset(k, 0, sizeof *k);
	k->kind = IPSCAN_ADDR;
	k->a = *a;
}

static void key_of_match(struct fkey *k, const struct ipscan_match *m)
{
	memset(k, 0, sizeof *k);
	k->kind = (uint8_t)m->kind;
	k->a = m->addr;
	if (m->kind == IPSCAN_PREFIX)
		k->len = m->prefixlen;
	else if (m->kind == IPSCAN_RANGE)
		k->b = m->end;
}

#define SLOT_TAG(h) ((uint64_t)(uint32_t)(h) << 32)
#define SLOT_INDEX(v) ((uint32_t)(v) - 1u)

/* Index of the address entry with hash h, or UINT32_MAX. */
static uint32_t ip_find(const struct findings *f, const struct ip_addr *a, uint64_t h)
{
	if (f->iptab.slot == NULL)
		return UINT32_MAX;
	size_t pos = (size_t)h & f->iptab.mask;
	for (;;) {
		uint64_t v = f->iptab.slot[pos];
		if (v == 0)
			return UINT32_MAX;
		if ((v & ~0xffffffffull) == SLOT_TAG(h) &&
		    memcmp(&f->ips[SLOT_INDEX(v)].addr, a, sizeof *a) == 0)
			return SLOT_INDEX(v);
		pos = (pos + 1) & f->iptab.mask;
	}
}

/* Put index idx with hash h into the first free slot of its chain. */
static void table_put(struct ftable *t, uint64_t h, uint32_t idx)
{
	size_t pos = (size_t)h & t->mask;
	while (t->slot[pos] != 0)
		pos = (pos + 1) & t->mask;
	t->slot[pos] = SLOT_TAG(h) | (uint64_t)(idx + 1u);
	t->used++;
}

/* Ensure room for one more entry (load <= 1/2), rehashing from the tags. */
static bool table_reserve(struct ftable *t)
{
	if (t->slot != NULL && (t->used + 1) * 2 <= t->mask + 1)
		return true;
	size_t ncap = t->slot ? (t->mask + 1) * 2 : 64;
	uint64_t *ns = calloc(ncap, sizeof *ns);
	if (ns == NULL)
		return false;
	struct ftable old = *t;
	t->slot = ns;
	t->mask = ncap - 1;
	t->used = 0;
	for (size_t i = 0; old.slot != NULL && i <= old.mask; i++)
		if (old.slot[i] != 0)
			table_put(t, old.slot[i] >> 32, SLOT_INDEX(old.slot[i]));
	free(old.slot);
	return true;
}

struct findings *findings_alloc(void)
{
	struct findings *f = calloc(1, sizeof *f);
	if (f == NULL)
		return NULL;
	f->max_entries = FINDINGS_DEFAULT_MAX_ENTRIES;
	f->touched_part = NO_PART;
	f->email_threshold = f->host_threshold = IDENT_DEFAULT_THRESHOLD;
	return f;
}

void findings_free(struct findings *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nparts; i++) {
		free(f->parts[i].path);
		free(f->parts[i].type);
		free(f->parts[i].filename);
	}
	free(f->parts);
	free(f->ips);
	free(f->ip_last_part);
	free(f->iptab.slot);
	free(f->nets);
	free(f->netkeys);
	free(f->net_last_part);
	free(f->nettab.slot);
	free(f->touched);
	free(f->readers);
	free(f->emails.slot);
	free(f->hosts.slot);
	free(f->hostv);
	free(f);
}

void findings_set_max_entries(struct findings *f, size_t max)
{
	f->max_entries = max ? max : FINDINGS_DEFAULT_MAX_ENTRIES;
}

/* Out of memory inside the findings: the message cannot be judged. */
static void mark_oom(struct findings *f)
{
	f->oom = true;
	findings_message_unscannable(f, UNSCAN_INTERNAL);
}

int findings_part_add(struct findings *f, const char *path, const char *type,
		      const char *filename, unsigned depth)
{
	if (!grow((void **)&f->parts, &f->capparts, f->nparts + 1, sizeof *f->parts)) {
		mark_oom(f);
		return -1;
	}
	struct finding_part *p = &f->parts[f->nparts];
	memset(p, 0, sizeof *p);
	p->path = strdup(path ? path : "");
	p->type = strdup(type ? type : "application/octet-stream");
	p->filename = filename ? strdup(filename) : NULL;
	if (p->path == NULL || p->type == NULL || (filename && p->filename == NULL)) {
		free(p->path);
		free(p->type);
		free(p->filename);
		mark_oom(f);
		return -1;
	}
	for (char *c = p->type; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	p->status = PART_SCANNED;
	p->depth = depth;
	return (int)f->nparts++;
}

void findings_part_set_bytes(struct findings *f, unsigned part, uint64_t bytes)
{
	if (part < f->nparts)
		f->parts[part].bytes = bytes;
}

void findings_part_set_status(struct findings *f, unsigned part, enum part_status st)
{
	if (part < f->nparts && f->parts[part].status != PART_UNSCANNABLE)
		f->parts[part].status = st;
}

void findings_part_decrypted(struct findings *f, unsigned part)
{
	if (part >= f->nparts)
		return;
	struct finding_part *p = &f->parts[part];
	bool sealed_only = p->status == PART_UNSCANNABLE && p->reason == UNSCAN_PGP_INLINE;
	if (p->status != PART_UNSCANNABLE || sealed_only) {
		p->status = PART_DECRYPTED;
		p->reason = UNSCAN_NONE;
	}
}

void findings_decrypt_failed(struct findings *f, const char *why, bool temporary)
{
	if (f->decrypt_failed++ == 0 || (temporary && !f->decrypt_temporary))
		f->decrypt_why = why;
	f->decrypt_temporary |= temporary;
}

unsigned findings_decrypt_failures(const struct findings *f, const char **why, bool *temporary)
{
	*why = f != NULL && f->decrypt_why != NULL ? f->decrypt_why : "";
	*temporary = f != NULL && f->decrypt_temporary;
	return f != NULL ? f->decrypt_failed : 0;
}

unsigned findings_decrypted_count(const struct findings *f)
{
	unsigned n = 0;
	for (size_t i = 0; f != NULL && i < f->nparts; i++)
		n += f->parts[i].status == PART_DECRYPTED;
	return n;
}

void findings_part_unscannable(struct findings *f, unsigned part, enum unscan_reason r)
{
	if (part >= f->nparts)
		return;
	struct finding_part *p = &f->parts[part];
	if (p->status != PART_UNSCANNABLE || p->reason == UNSCAN_NONE) {
		p->status = PART_UNSCANNABLE;
		p->reason = r;
	}
}

void findings_message_unscannable(struct findings *f, enum unscan_reason r)
{
	if (f->message_reason == UNSCAN_NONE)
		f->message_reason = r;
}

/* Remember that the current part touched entry idx (once per part). */
static void touch(struct findings *f, unsigned part, uint32_t idx, uint32_t *last_part)
{
	if (f->touched_part != part) {
		f->touched_part = part;
		f->ntouched = 0;
	}
	if (*last_part == part)
		return;
	*last_part = part;
	if (!grow((void **)&f->touched, &f->captouched, f->ntouched + 1, sizeof *f->touched)) {
		mark_oom(f);
		return;
	}
	f->touched[f->ntouched++] = idx;
}

void findings_part_set_format(struct findings *f, unsigned part, enum incident_format fmt)
{
	if (part >= f->nparts || fmt >= FMT_COUNT)
		return;
	f->parts[part].formats |= 1u << fmt;
	if (f->touched_part != part)
		return;
	for (size_t i = 0; i < f->ntouched; i++) {
		uint32_t v = f->touched[i];
		if (v & TOUCH_NET)
			f->nets[v & ~TOUCH_NET].structured = true;
		else
			f->ips[v].structured = true;
	}
}

/* Record a plain address. */
static void add_addr(struct findings *f, unsigned part, const struct ipscan_match *m)
{
	struct fkey k;
	key_of_addr(&k, &m->addr);
	uint64_t h = key_hash(&k);
	uint32_t idx = ip_find(f, &m->addr, h);
	if (idx == UINT32_MAX) {
		if (f->nips + f->nnets >= f->max_entries) {
			findings_message_unscannable(f, UNSCAN_LIMIT_ADDRESSES);
			return;
		}
		size_t cap2 = f->capips;
		if (!table_reserve(&f->iptab) ||
		    !grow((void **)&f->ips, &f->capips, f->nips + 1, sizeof *f->ips) ||
		    !grow((void **)&f->ip_last_part, &cap2, f->capips, sizeof *f->ip_last_part)) {
			mark_oom(f);
			return;
		}
		idx = (uint32_t)f->nips++;
		struct finding_ip *ip = &f->ips[idx];
		memset(ip, 0, sizeof *ip);
		ip->addr = m->addr;
		ip->scope = ipclass_addr(&m->addr, NULL);
		ip->first_part = part;
		ip->first_offset = m->offset;
		f->ip_last_part[idx] = NO_PART;
		if (ip->scope == IP_SCOPE_PUBLIC)
			f->public_ips++;
		table_put(&f->iptab, h, idx);
	}
	struct finding_ip *ip = &f->ips[idx];
	if (ip->count < UINT32_MAX)
		ip->count++;
	ip->defanged |= m->defanged;
	touch(f, part, idx, &f->ip_last_part[idx]);
}

/* Index of the network entry for key k with hash h, or UINT32_MAX. */
static uint32_t net_find(const struct findings *f, const struct fkey *k, uint64_t h)
{
	if (f->nettab.slot == NULL)
		return UINT32_MAX;
	size_t pos = (size_t)h & f->nettab.mask;
	for (;;) {
		uint64_t v = f->nettab.slot[pos];
		if (v == 0)
			return UINT32_MAX;
		if ((v & ~0xffffffffull) == SLOT_TAG(h) &&
		    memcmp(&f->netkeys[SLOT_INDEX(v)], k, sizeof *k) == 0)
			return SLOT_INDEX(v);
		pos = (pos + 1) & f->nettab.mask;
	}
}

/* Record a prefix or a range. */
static void add_net(struct findings *f, unsigned part, const struct ipscan_match *m)
{
	struct fkey k;
	key_of_match(&k, m);
	uint64_t h = key_hash(&k);
	uint32_t idx = net_find(f, &k, h);
	if (idx == UINT32_MAX) {
		if (f->nips + f->nnets >= f->max_entries) {
			findings_message_unscannable(f, UNSCAN_LIMIT_ADDRESSES);
			return;
		}
		size_t cap = f->capnets;
		if (!table_reserve(&f->nettab) ||
		    !grow((void **)&f->nets, &f->capnets, f->nnets + 1, sizeof *f->nets)) {
			mark_oom(f);
			return;
		}
		size_t cap2 = cap, cap3 = cap;
		if (!grow((void **)&f->netkeys, &cap2, f->capnets, sizeof *f->netkeys) ||
		    !grow((void **)&f->net_last_part, &cap3, f->capnets, sizeof *f->net_last_part)) {
			mark_oom(f);
			return;
		}
		idx = (uint32_t)f->nnets++;
		f->netkeys[idx] = k;
		f->net_last_part[idx] = NO_PART;
		struct finding_net *n = &f->nets[idx];
		memset(n, 0, sizeof *n);
		if (m->kind == IPSCAN_RANGE) {
			n->is_range = true;
			n->first = m->addr;
			n->last = m->end;
			n->scope = ipclass_range(&m->addr, &m->end);
		} else {
			n->prefix.addr = m->addr;
			n->prefix.len = m->prefixlen;
			n->scope = ipclass_prefix(&n->prefix);
		}
		n->first_part = part;
		n->first_offset = m->offset;
		if (n->scope == IP_SCOPE_PUBLIC)
			f->public_nets++;
		table_put(&f->nettab, h, idx);
	}
	struct finding_net *n = &f->nets[idx];
	if (n->count < UINT32_MAX)
		n->count++;
	n->defanged |= m->defanged;
	touch(f, part, idx | TOUCH_NET, &f->net_last_part[idx]);
}

void findings_add_match(struct findings *f, unsigned part, const struct ipscan_match *m)
{
	if (f->oom)	/* arrays may be out of step: stop recording */
		return;
	if (m->kind == IPSCAN_ADDR)
		add_addr(f, part, m);
	else
		add_net(f, part, m);
}

void findings_reader_add(struct findings *f, unsigned part, const struct reader_id *r)
{
	struct reader_id over;
	for (size_t i = 0; i < f->nreaders; i++)
		if (reader_equal(&f->readers[i].id, r))
			return;
	if (f->nreaders + 1 >= FINDINGS_MAX_READERS && r->kind != READER_UNPARSED) {
		memset(&over, 0, sizeof over);
		over.kind = READER_UNPARSED;
		findings_reader_add(f, part, &over);
		return;
	}
	if (f->nreaders >= FINDINGS_MAX_READERS)
		return;
	if (!grow((void **)&f->readers, &f->capreaders, f->nreaders + 1, sizeof *f->readers)) {
		mark_oom(f);
		return;
	}
	f->readers[f->nreaders].id = *r;
	f->readers[f->nreaders++].part = part;
}

size_t findings_reader_count(const struct findings *f)
{
	return f->nreaders;
}

const struct finding_reader *findings_reader(const struct findings *f, size_t i)
{
	return i < f->nreaders ? &f->readers[i] : NULL;
}

/* Add hash h to set t; 1 when new, 0 when known, -1 out of memory. */
static int idset_add(struct idset *t, uint64_t h)
{
	if (h == 0)
		h = 1;
	if (t->slot == NULL || (t->used + 1) * 2 > t->mask + 1) {
		size_t ncap = t->slot ? (t->mask + 1) * 2 : 64;
		uint64_t *ns = calloc(ncap, sizeof *ns);
		if (ns == NULL)
			return -1;
		for (size_t i = 0; t->slot != NULL && i <= t->mask; i++) {
			if (t->slot[i] == 0)
				continue;
			size_t pos = (size_t)t->slot[i] & (ncap - 1);
			while (ns[pos] != 0)
				pos = (pos + 1) & (ncap - 1);
			ns[pos] = t->slot[i];
		}
		free(t->slot);
		t->slot = ns;
		t->mask = ncap - 1;
	}
	size_t pos = (size_t)h & t->mask;
	while (t->slot[pos] != 0) {
		if (t->slot[pos] == h)
			return 0;
		pos = (pos + 1) & t->mask;
	}
	t->slot[pos] = h;
	t->used++;
	return 1;
}

/* FNV-1a over the value, finished by mix64. */
static uint64_t value_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return mix64(h);
}

/* Count a new host under its top-level domain (shown like countries). */
static void count_tld(struct findings *f, const char *host, size_t len)
{
	const char *dot = host + len;
	while (dot > host && dot[-1] != '.')
		dot--;
	size_t tl = (size_t)(host + len - dot);
	if (tl == 0 || tl >= sizeof f->tlds[0].tld)
		return;
	for (size_t i = 0; i < f->ntlds; i++) {
		if (strlen(f->tlds[i].tld) == tl && memcmp(f->tlds[i].tld, dot, tl) == 0) {
			f->tlds[i].count++;
			return;
		}
	}
	if (f->ntlds == FINDINGS_TLD_MAX)
		return;
	memcpy(f->tlds[f->ntlds].tld, dot, tl);
	f->tlds[f->ntlds].tld[tl] = '\0';
	f->tlds[f->ntlds++].count = 1;
}

uint64_t findings_domain_hash(const char *name, size_t len)
{
	return value_hash(name, len);
}

/* Keep what the constituency check needs of a new host (its hosts.used
 * is already counted): the domains it lies under, by hash, and its
 * top-level domain. */
static void keep_host(struct findings *f, const char *host, size_t len)
{
	size_t i = f->hosts.used - 1;
	if (!grow((void **)&f->hostv, &f->caphostv, i + 1, sizeof *f->hostv)) {
		mark_oom(f);
		return;
	}
	struct finding_host *h = &f->hostv[i];
	memset(h, 0, sizeof *h);
	const char *dot = host + len;
	while (dot > host && dot[-1] != '.')
		dot--;
	size_t tl = (size_t)(host + len - dot);
	if (tl < sizeof h->tld)
		memcpy(h->tld, dot, tl);
	/* "example.com", "corp.example.com", ... up to the host */
	for (const char *p = dot; p > host && h->nunder < FINDINGS_HOST_LEVELS;) {
		p--;	/* the '.' before the last suffix */
		while (p > host && p[-1] != '.')
			p--;
		h->under[h->nunder++] = value_hash(p, (size_t)(host + len - p));
	}
}

void findings_add_ident(struct findings *f, unsigned part, const struct idscan_match *m)
{
	(void)part;
	if (f->oom)
		return;
	if (m->kind == IDSCAN_CREDENTIAL) {
		if (f->credentials < UINT32_MAX)
			f->credentials++;
		return;
	}
	struct idset *t = m->kind == IDSCAN_EMAIL ? &f->emails : &f->hosts;
	if (f->nips + f->nnets + f->emails.used + f->hosts.used >= f->max_entries) {
		findings_message_unscannable(f, UNSCAN_LIMIT_ADDRESSES);
		return;
	}
	int r = idset_add(t, value_hash(m->value, m->len));
	if (r < 0)
		mark_oom(f);
	else if (r > 0 && m->kind == IDSCAN_HOST) {
		count_tld(f, m->value, m->len);
		keep_host(f, m->value, m->len);
	}
}

void findings_set_ident_thresholds(struct findings *f, unsigned emails, unsigned hosts)
{
	f->email_threshold = emails ? emails : 1;
	f->host_threshold = hosts ? hosts : 1;
}

size_t findings_email_count(const struct findings *f)
{
	return f->emails.used;
}

size_t findings_host_count(const struct findings *f)
{
	return f->hosts.used;
}

size_t findings_credential_count(const struct findings *f)
{
	return f->credentials;
}

const struct finding_host *findings_host(const struct findings *f, size_t i)
{
	return i < f->hosts.used && f->hostv != NULL ? &f->hostv[i] : NULL;
}

size_t findings_tld_count(const struct findings *f)
{
	return f->ntlds;
}

const struct finding_tld *findings_tld(const struct findings *f, size_t i)
{
	return i < f->ntlds ? &f->tlds[i] : NULL;
}

void findings_set_tlp(struct findings *f, enum tlp_level t)
{
	if (t > f->tlp)
		f->tlp = t;
}

/* Formats that are incident data by themselves; a CSV with an IP column
 * is one only when it actually carries public addresses (an inventory of
 * internal hosts is not an incident report). */
#define FMT_INHERENT_INCIDENT                                                                      \
	((1u << FMT_STIX2) | (1u << FMT_MISP) | (1u << FMT_IODEF) | (1u << FMT_XARF) |              \
	 (1u << FMT_ARF) | (1u << FMT_SHADOWSERVER))

unsigned findings_derive(struct findings *f, unsigned threshold)
{
	unsigned cats = 0;
	bool structured_public = false;
	for (size_t i = 0; i < f->nips && !structured_public; i++)
		structured_public = f->ips[i].structured && f->ips[i].scope == IP_SCOPE_PUBLIC;
	for (size_t i = 0; i < f->nnets && !structured_public; i++)
		structured_public = f->nets[i].structured && f->nets[i].scope == IP_SCOPE_PUBLIC;
	if (threshold == 0)
		threshold = 1;
	if (f->public_ips + f->public_nets >= threshold || structured_public ||
	    f->hosts.used >= f->host_threshold)
		cats |= CAT_PROVIDER_TRACEABLE;
	if (f->emails.used >= f->email_threshold)
		cats |= CAT_PERSONAL_DATA;
	if (f->credentials > 0)
		cats |= CAT_CREDENTIALS;

	unsigned fmts = findings_formats(f);
	if (f->tlp != TLP_NONE || (fmts & FMT_INHERENT_INCIDENT) ||
	    ((fmts & (1u << FMT_CSV_IP)) && structured_public))
		cats |= CAT_INCIDENT;
	if (findings_unscannable_count(f) > 0 || f->message_reason != UNSCAN_NONE)
		cats |= CAT_UNSCANNABLE;
	f->categories = cats;
	return cats;
}

unsigned findings_categories(const struct findings *f)
{
	return f->categories;
}

enum tlp_level findings_tlp(const struct findings *f)
{
	return f->tlp;
}

unsigned findings_formats(const struct findings *f)
{
	unsigned u = 0;
	for (size_t i = 0; i < f->nparts; i++)
		u |= f->parts[i].formats;
	return u;
}

size_t findings_part_count(const struct findings *f)
{
	return f->nparts;
}

const struct finding_part *findings_part(const struct findings *f, size_t i)
{
	return i < f->nparts ? &f->parts[i] : NULL;
}

size_t findings_ip_count(const struct findings *f)
{
	return f->nips;
}

const struct finding_ip *findings_ip(const struct findings *f, size_t i)
{
	return i < f->nips ? &f->ips[i] : NULL;
}

struct finding_ip *findings_ip_mut(struct findings *f, size_t i)
{
	return i < f->nips ? &f->ips[i] : NULL;
}

size_t findings_net_count(const struct findings *f)
{
	return f->nnets;
}

const struct finding_net *findings_net(const struct findings *f, size_t i)
{
	return i < f->nnets ? &f->nets[i] : NULL;
}

size_t findings_public_ip_count(const struct findings *f)
{
	return f->public_ips;
}

size_t findings_public_net_count(const struct findings *f)
{
	return f->public_nets;
}

size_t findings_unscannable_count(const struct findings *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nparts; i++)
		n += f->parts[i].status == PART_UNSCANNABLE;
	return n;
}

enum unscan_reason findings_message_reason(const struct findings *f)
{
	return f->message_reason;
}

/* ---- names ------------------------------------------------------------ */

/* The levels as FIRST's TLP 2.0 spells them; WHITE is TLP 1.0's CLEAR. */
static const struct name_value tlps[] = {
	{"CLEAR", TLP_CLEAR},
	{"GREEN", TLP_GREEN},
	{"AMBER", TLP_AMBER},
	{"AMBER+STRICT", TLP_AMBER_STRICT},
	{"RED", TLP_RED},
	{"WHITE", TLP_CLEAR},
};

const char *tlp_name(enum tlp_level t)
{
	return name_of(tlps, NAMES_LEN(tlps), (int)t, "");
}

bool tlp_parse(const char *s, enum tlp_level *out)
{
	if (s != NULL && strncasecmp(s, "TLP:", 4) == 0)
		s += 4;
	int v = value_of(tlps, NAMES_LEN(tlps), s, NAMES_NOCASE);
	if (v >= 0)
		*out = (enum tlp_level)v;
	return v >= 0;
}

static const struct name_value formats[] = {
	{"stix2", FMT_STIX2},
	{"misp", FMT_MISP},
	{"iodef", FMT_IODEF},
	{"x-arf", FMT_XARF},
	{"arf", FMT_ARF},
	{"csv-ip", FMT_CSV_IP},
	{"shadowserver", FMT_SHADOWSERVER},
};

const char *format_name(enum incident_format fmt)
{
	return name_of(formats, NAMES_LEN(formats), (int)fmt, "unknown");
}

static const struct name_value unscan_reasons[] = {
	{"", UNSCAN_NONE},
	{"encrypted-archive", UNSCAN_ENCRYPTED_ARCHIVE},
	{"pgp-mime", UNSCAN_PGP_MIME},
	{"pgp-inline", UNSCAN_PGP_INLINE},
	{"smime", UNSCAN_SMIME},
	{"corrupt-archive", UNSCAN_CORRUPT_ARCHIVE},
	{"malformed-mime", UNSCAN_MALFORMED_MIME},
	{"unsupported-type", UNSCAN_UNSUPPORTED_TYPE},
	{"tnef", UNSCAN_TNEF},
	{"pdf-failed", UNSCAN_PDF_FAILED},
	{"decode-failed", UNSCAN_DECODE_FAILED},
	{"limit-size", UNSCAN_LIMIT_SIZE},
	{"limit-parts", UNSCAN_LIMIT_PARTS},
	{"limit-depth", UNSCAN_LIMIT_DEPTH},
	{"limit-entries", UNSCAN_LIMIT_ENTRIES},
	{"limit-ratio", UNSCAN_LIMIT_RATIO},
	{"limit-time", UNSCAN_LIMIT_TIME},
	{"limit-addresses", UNSCAN_LIMIT_ADDRESSES},
	{"internal-error", UNSCAN_INTERNAL},
	{"ole2", UNSCAN_OLE2},
	{"type-mismatch", UNSCAN_TYPE_MISMATCH},
};

const char *unscan_reason_name(enum unscan_reason r)
{
	return name_of(unscan_reasons, NAMES_LEN(unscan_reasons), (int)r, "internal-error");
}

static const struct name_value categories[] = {
	{"provider-traceable", CAT_PROVIDER_TRACEABLE},
	{"incident", CAT_INCIDENT},
	{"unscannable", CAT_UNSCANNABLE},
	{"personal-data", CAT_PERSONAL_DATA},
	{"credentials", CAT_CREDENTIALS},
};

const char *category_name(enum category c)
{
	return name_of(categories, NAMES_LEN(categories), (int)c, "unknown");
}

bool category_parse(const char *s, enum category *out)
{
	int v = value_of(categories, NAMES_LEN(categories), s, 0);
	if (v >= 0)
		*out = (enum category)v;
	return v >= 0;
}

static const struct name_value part_statuses[] = {
	{"scanned", PART_SCANNED},
	{"unscannable", PART_UNSCANNABLE},
	{"container", PART_CONTAINER},
	{"decrypted", PART_DECRYPTED},
};

const char *part_status_name(enum part_status s)
{
	return name_of(part_statuses, NAMES_LEN(part_statuses), (int)s, "unknown");
}
