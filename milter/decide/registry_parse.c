/*
 * registry_parse.c - the registry's YAML, event by event through libyaml,
 * into a small node tree with line numbers; and the error list every
 * registry message goes to.
 *
 * Hostile input is bounded: nesting deeper than REGISTRY_MAX_DEPTH, more
 * than YTREE_MAX_NODES nodes, aliases (no "billion laughs"), a second
 * document or a scalar with an embedded NUL stop the parse with one error
 * naming the line.  The tree is built with an explicit stack, never by
 * recursion; only ytree_free() recurses, bounded by the depth limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/names.h"
#include "registry_priv.h"

#define YTREE_MAX_NODES 4000000u

/* ---- errors ------------------------------------------------------------- */

struct registry_errors *regerr_alloc(const char *name)
{
	struct registry_errors *e = calloc(1, sizeof *e);
	if (e == NULL)
		return NULL;
	e->name = strdup(name != NULL ? name : "registry");
	if (e->name == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

/* Format one message; a failed allocation is still counted. */
void regerr_add(struct registry_errors *e, unsigned line, const char *fmt, ...)
{
	char body[512];
	va_list ap;
	if (e == NULL)
		return;
	if (e->n >= REGISTRY_MAX_ERRORS) {
		e->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 16;
		char **nm = realloc(e->msg, ncap * sizeof *nm);
		if (nm == NULL) {
			e->oom = true;
			e->dropped++;
			return;
		}
		e->msg = nm;
		unsigned *nl = realloc(e->line, ncap * sizeof *nl);
		if (nl == NULL) {
			e->oom = true;
			e->dropped++;
			return;
		}
		e->line = nl;
		e->cap = ncap;
	}
	size_t need = strlen(e->name) + strlen(body) + 16;
	char *m = malloc(need);
	if (m == NULL) {
		e->oom = true;
		e->dropped++;
		return;
	}
	if (line == 0)	/* about the file as a whole */
		snprintf(m, need, "%s: %s", e->name, body);
	else
		snprintf(m, need, "%s:%u: %s", e->name, line, body);
	e->msg[e->n] = m;
	e->line[e->n] = line;
	e->n++;
}

size_t regerr_total(const struct registry_errors *e)
{
	return e == NULL ? 0 : e->n + e->dropped;
}

/* Insertion sort by line keeps equal lines in report order; the list is
 * capped at REGISTRY_MAX_ERRORS, so the quadratic worst case is bounded. */
void regerr_finish(struct registry_errors *e)
{
	if (e == NULL)
		return;
	for (size_t i = 1; i < e->n; i++) {
		char *m = e->msg[i];
		unsigned l = e->line[i];
		size_t j = i;
		while (j > 0 && e->line[j - 1] > l) {
			e->msg[j] = e->msg[j - 1];
			e->line[j] = e->line[j - 1];
			j--;
		}
		e->msg[j] = m;
		e->line[j] = l;
	}
	if (e->dropped > 0) {
		size_t dropped = e->dropped;
		e->dropped = 0;
		if (e->n >= REGISTRY_MAX_ERRORS) {
			e->n--;	/* make room for the note; the count says it */
			free(e->msg[e->n]);
			dropped++;
		}
		regerr_add(e, e->n > 0 ? e->line[e->n - 1] : 0,
			   "too many errors, %zu more not shown", dropped);
	}
}

size_t registry_errors_count(const struct registry_errors *e)
{
	return e == NULL ? 0 : e->n;
}

const char *registry_errors_get(const struct registry_errors *e, size_t i)
{
	return e != NULL && i < e->n ? e->msg[i] : "";
}

void registry_errors_free(struct registry_errors *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	free(e->line);
	free(e->name);
	free(e);
}

/* Printable, bounded copy: controls and non-ASCII become '?'; a text
 * longer than size - 3 bytes is cut to make room for "...". */
const char *regerr_quote(const char *text, char *buf, size_t size)
{
	size_t max = size - 1;
	if (text == NULL)
		text = "";
	if (max >= 3 && strlen(text) + 2 > max)
		memcpy(buf + clean_copy(buf, size, text, max - 3, CLEAN_ASCII), "...", 4);
	else
		clean_copy(buf, size, text, max, CLEAN_ASCII);
	return buf;
}

/* ---- the tree ----------------------------------------------------------- */

static const struct name_value kinds[] = {
	{"a scalar", YN_SCALAR},
	{"a sequence", YN_SEQ},
	{"a mapping", YN_MAP},
};

const char *ytree_kind_name(enum ynode_kind k)
{
	return name_of(kinds, NAMES_LEN(kinds), (int)k, "?");
}

/* Free a tree; recursion depth is bounded by REGISTRY_MAX_DEPTH. */
void ytree_free(struct ynode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		ytree_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

/* Append a child; false on allocation failure. */
static bool node_append(struct ynode *parent, struct ynode *kid)
{
	if (parent->nkids == parent->cap) {
		size_t ncap = parent->cap ? parent->cap * 2 : 4;
		struct ynode **nk = realloc(parent->kids, ncap * sizeof *nk);
		if (nk == NULL)
			return false;
		parent->kids = nk;
		parent->cap = ncap;
	}
	parent->kids[parent->nkids++] = kid;
	return true;
}

/* New node from an event. */
static struct ynode *node_new(enum ynode_kind kind, const yaml_event_t *ev)
{
	struct ynode *n = calloc(1, sizeof *n);
	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->line = (unsigned)ev->start_mark.line + 1;
	if (kind == YN_SCALAR) {
		size_t len = ev->data.scalar.length;
		n->text = malloc(len + 1);
		if (n->text == NULL) {
			free(n);
			return NULL;
		}
		memcpy(n->text, ev->data.scalar.value, len);
		n->text[len] = '\0';
	}
	return n;
}

struct builder {
	struct ynode *stack[REGISTRY_MAX_DEPTH + 1];
	size_t depth;
	struct ynode *root;
	size_t nodes;
	unsigned documents;
	struct registry_errors *e;
};

/* Attach a finished or started node to the current container. */
static bool attach(struct builder *b, struct ynode *n)
{
	if (b->depth == 0) {
		if (b->root != NULL) {
			ytree_free(n);
			return false;
		}
		b->root = n;
		return true;
	}
	if (!node_append(b->stack[b->depth - 1], n)) {
		ytree_free(n);
		regerr_add(b->e, n->line, "out of memory");
		return false;
	}
	return true;
}

/* One event; false stops the parse (the error is reported). */
static bool on_event(struct builder *b, const yaml_event_t *ev)
{
	unsigned line = (unsigned)ev->start_mark.line + 1;
	enum ynode_kind kind;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1) {
			regerr_add(b->e, line, "more than one YAML document");
			return false;
		}
		return true;
	case YAML_ALIAS_EVENT:
		regerr_add(b->e, line, "YAML aliases are not allowed in a registry");
		return false;
	case YAML_SCALAR_EVENT:
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL) {
			regerr_add(b->e, line, "NUL character in a value");
			return false;
		}
		kind = YN_SCALAR;
		break;
	case YAML_SEQUENCE_START_EVENT:
		kind = YN_SEQ;
		break;
	case YAML_MAPPING_START_EVENT:
		kind = YN_MAP;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0)
			b->depth--;
		return true;
	default:
		return true;
	}
	if (++b->nodes > YTREE_MAX_NODES) {
		regerr_add(b->e, line, "too many YAML nodes (limit %u)", YTREE_MAX_NODES);
		return false;
	}
	if (kind != YN_SCALAR && b->depth >= REGISTRY_MAX_DEPTH) {
		regerr_add(b->e, line, "nesting deeper than %d levels", REGISTRY_MAX_DEPTH);
		return false;
	}
	struct ynode *n = node_new(kind, ev);
	if (n == NULL) {
		regerr_add(b->e, line, "out of memory");
		return false;
	}
	if (!attach(b, n))
		return false;
	if (kind != YN_SCALAR)
		b->stack[b->depth++] = n;
	return true;
}

/* Report libyaml's problem with its line. */
static void syntax_error(const yaml_parser_t *p, struct registry_errors *e)
{
	char q[REGERR_QUOTE_MAX];
	unsigned line = (unsigned)p->problem_mark.line + 1;
	if (p->error == YAML_MEMORY_ERROR) {
		regerr_add(e, line, "out of memory while reading YAML");
		return;
	}
	if (p->context != NULL) {
		char c[REGERR_QUOTE_MAX];
		regerr_add(e, line, "YAML syntax error: %s (%s at line %u)",
			   regerr_quote(p->problem, q, sizeof q), regerr_quote(p->context, c, sizeof c),
			   (unsigned)p->context_mark.line + 1);
	} else {
		regerr_add(e, line, "YAML syntax error: %s",
			   regerr_quote(p->problem ? p->problem : "unknown", q, sizeof q));
	}
}

struct ynode *ytree_parse(const char *data, size_t len, struct registry_errors *e)
{
	yaml_parser_t parser;
	struct builder b;
	bool ok = true;

	memset(&b, 0, sizeof b);
	b.e = e;
	if (!yaml_parser_initialize(&parser)) {
		regerr_add(e, 0, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(&parser, e);
			ok = false;
			break;
		}
		bool more = ev.type != YAML_STREAM_END_EVENT;
		if (more && !on_event(&b, &ev))
			ok = false;
		yaml_event_delete(&ev);
		if (!ok || !more)
			break;
	}
	yaml_parser_delete(&parser);
	if (!ok) {
		ytree_free(b.root);
		return NULL;
	}
	if (b.root == NULL) {
		regerr_add(e, 1, "empty registry");
		return NULL;
	}
	return b.root;
}
