/*
 * gsflib.c - libgsf, loaded with dlopen() on first use (gsflib.h says
 * when; the loading is base/dynlib.c's).
 *
 * Public functions: ole2_lib_load() (ole2.h).
 * Limits: none of its own.
 */
#include "grondslag/base/dynlib.h"
#include "gsflib.h"

/* The ABI of libgsf-1.so.114, Debian's package libgsf-1-114 (a test
 * program builds this file with one that is not there). */
#ifndef GSFLIB_SONAME
#define GSFLIB_SONAME "libgsf-1.so.114"
#endif

static struct gsflib table;
const struct gsflib *const gsflib = &table;

/* Each entry of struct gsflib and libgsf's name for it. */
static const struct dynlib_sym symbols[] = {
	{"gsf_infile_child_by_index", offsetof(struct gsflib, infile_child_by_index)},
	{"gsf_infile_get_type", offsetof(struct gsflib, infile_get_type)},
	{"gsf_infile_msole_get_type", offsetof(struct gsflib, infile_msole_get_type)},
	{"gsf_infile_msole_new", offsetof(struct gsflib, infile_msole_new)},
	{"gsf_infile_name_by_index", offsetof(struct gsflib, infile_name_by_index)},
	{"gsf_infile_num_children", offsetof(struct gsflib, infile_num_children)},
	{"gsf_init", offsetof(struct gsflib, init)},
	{"gsf_input_memory_get_type", offsetof(struct gsflib, input_memory_get_type)},
	{"gsf_input_memory_new", offsetof(struct gsflib, input_memory_new)},
	{"gsf_input_read", offsetof(struct gsflib, input_read)},
	{"gsf_input_size", offsetof(struct gsflib, input_size)},
};

/* The table has one entry per name above: no member left NULL. */
_Static_assert(sizeof symbols / sizeof symbols[0] * sizeof(void *) == sizeof(struct gsflib),
	       "struct gsflib and symbols[] name the same functions");

static struct dynlib lib = {
	.what = "the compound file library",
	.need = "legacy Office files are scanned with the package libgsf-1-114",
	.syms = symbols,
	.nsyms = sizeof symbols / sizeof symbols[0],
	.table = &table,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

int ole2_lib_load(char *why, size_t whylen)
{
	return dynlib_load(&lib, GSFLIB_SONAME, why, whylen);
}
