/*
 * json.c - streaming JSON writer (see json.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/json.h"

struct json {
	FILE *out;
	bool pretty;
	unsigned depth;
	bool first[JSON_MAX_DEPTH + 1];	/* no member written yet at this depth */
	bool after_key;
	bool overflow;
	char *membuf;		/* json_new_string(): out writes here */
	size_t memlen;
};

struct json *json_new(FILE *out, bool pretty)
{
	struct json *j = calloc(1, sizeof *j);
	if (j == NULL)
		return NULL;
	j->out = out;
	j->pretty = pretty;
	j->first[0] = true;
	return j;
}

struct json *json_new_string(void)
{
	struct json *j = calloc(1, sizeof *j);
	if (j == NULL)
		return NULL;
	j->out = open_memstream(&j->membuf, &j->memlen);
	if (j->out == NULL) {
		free(j);
		return NULL;
	}
	j->first[0] = true;
	return j;
}

char *json_string_done(struct json *j, size_t *len)
{
	if (j == NULL)
		return NULL;
	FILE *mem = j->out;
	char **buf = &j->membuf;
	size_t *n = &j->memlen;
	fputc('\n', mem);
	bool bad = ferror(mem) || j->overflow;
	/* fclose sets membuf/memlen for the last time: keep j until then */
	if (fclose(mem) != 0)
		bad = true;
	char *text = *buf;
	if (len != NULL)
		*len = *n;
	free(j);
	if (bad) {
		free(text);
		return NULL;
	}
	return text;
}

int json_free(struct json *j)
{
	if (j == NULL)
		return -1;
	fputc('\n', j->out);
	int rc = ferror(j->out) || j->overflow ? -1 : 0;
	free(j);
	return rc;
}

/* Separator and indentation before a value or key. */
static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
	if (j->pretty && j->depth > 0) {
		fputc('\n', j->out);
		for (unsigned i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
}

static void open_(struct json *j, char c)
{
	sep(j);
	fputc(c, j->out);
	if (j->depth >= JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	bool empty = j->first[j->depth];
	j->depth--;
	if (j->pretty && !empty) {
		fputc('\n', j->out);
		for (unsigned i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	fputc(c, j->out);
}

void json_obj_begin(struct json *j) { open_(j, '{'); }
void json_obj_end(struct json *j) { close_(j, '}'); }
void json_arr_begin(struct json *j) { open_(j, '['); }
void json_arr_end(struct json *j) { close_(j, ']'); }

/* Length of a valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Bytes written as they are: printable ASCII other than '"' and '\\'. */
static bool json_plain(unsigned c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void json_strn(struct json *j, const char *s, size_t n)
{
	sep(j);
	fputc('"', j->out);
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;		/* start of the bytes still to write as they are */
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		if (json_plain(c)) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t l = utf8_len(p + i, n - i);
			if (l > 0) {
				i += l;
				continue;
			}
		}
		/* one write per run, not per byte */
		if (i > run)
			fwrite(p + run, 1, i - run, j->out);
		if (c == '"' || c == '\\') {
			fputc('\\', j->out);
			fputc((int)c, j->out);
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': fputs("\\n", j->out); break;
			case '\r': fputs("\\r", j->out); break;
			case '\t': fputs("\\t", j->out); break;
			default: fprintf(j->out, "\\u%04x", c); break;
			}
		} else {
			fputs("\\ufffd", j->out);
		}
		run = ++i;
	}
	if (n > run)
		fwrite(p + run, 1, n - run, j->out);
	fputc('"', j->out);
}

void json_str(struct json *j, const char *s)
{
	if (s == NULL)
		json_null(j);
	else
		json_strn(j, s, strlen(s));
}

void json_key(struct json *j, const char *key)
{
	json_str(j, key);
	fputs(j->pretty ? ": " : ":", j->out);
	j->after_key = true;
}

void json_uint(struct json *j, uint64_t v)
{
	sep(j);
	fprintf(j->out, "%" PRIu64, v);
}

void json_int(struct json *j, int64_t v)
{
	sep(j);
	fprintf(j->out, "%" PRId64, v);
}

void json_bool(struct json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	sep(j);
	fputs("null", j->out);
}
