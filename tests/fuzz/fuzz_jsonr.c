/*
 * fuzz_jsonr.c - the bounded JSON reader on arbitrary bytes: no crash, no
 * leak, no unbounded recursion or memory, whatever the input.  When the
 * input parses, every value is visited (with an explicit stack) through
 * the public accessors, and the Trusted Introducer importer runs on it
 * too, so odd but valid documents reach tiimport as well.
 * Seeds: tests/fuzz/seeds/jsonr/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "grondslag/base/jsonr.h"
#include "grondslag/decide/tiimport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Visit every value without recursion. */
static void walk(const struct jsonr_value *root)
{
	const struct jsonr_value *stack[JSONR_MAX_DEPTH + 1];
	size_t next[JSONR_MAX_DEPTH + 1];
	size_t depth = 0;
	stack[0] = root;
	next[0] = 0;
	for (;;) {
		const struct jsonr_value *v = stack[depth];
		size_t n;
		(void)jsonr_strn(v, &n);
		(void)jsonr_str(v);
		uint64_t u;
		(void)jsonr_u64(v, &u);
		if (next[depth] < jsonr_count(v) && depth < JSONR_MAX_DEPTH) {
			size_t i = next[depth]++;
			(void)jsonr_key(v, i, &n);
			const char *k = jsonr_key(v, i, NULL);
			if (k != NULL)
				(void)jsonr_get(v, k);
			stack[++depth] = jsonr_at(v, i);
			next[depth] = 0;
			continue;
		}
		if (depth == 0)
			break;
		depth--;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonr_error err;
	struct jsonr_limits small = {.max_depth = 8, .max_values = 1000};
	struct jsonr_doc *d = jsonr_parse((const char *)data, size, &small, &err);
	jsonr_free(d);
	d = jsonr_parse((const char *)data, size, NULL, &err);
	if (d == NULL)
		return 0;
	walk(jsonr_root(d));
	jsonr_free(d);
	FILE *out = fopen("/dev/null", "w"), *warn = fopen("/dev/null", "w");
	if (out != NULL && warn != NULL)
		(void)tiimport_run((const char *)data, size, "fuzz.json", out, warn);
	if (out != NULL)
		fclose(out);
	if (warn != NULL)
		fclose(warn);
	return 0;
}
