/*
 * gsflib.h - libgsf loaded when the first compound file (legacy Office,
 * Outlook .msg) is read, not when a program starts (base/dynlib.h says
 * why): private to ole2.c, which includes it instead of libgsf's headers
 * (it includes them for libgsf's types).  The daemon loads it at its start (ole2_lib_load()), so a
 * host without it refuses to start; the CLI when a scan meets one.
 *
 * After ole2_lib_load() has succeeded, ole2.c calls libgsf by its own
 * names (and GObject's type macros, GSF_INFILE() and the like, call the
 * get_type functions below): each is a macro that calls through the
 * table gsflib.c filled.  A function used without its entry here is an
 * undefined reference at link time (no program is linked with libgsf),
 * never a silent new dependency: add it to struct gsflib, to the names
 * in gsflib.c and here.
 */
#ifndef GRONDSLAG_SCAN_GSFLIB_H
#define GRONDSLAG_SCAN_GSFLIB_H

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-input.h>
#include <gsf/gsf-utils.h>

#include "grondslag/scan/ole2.h"

/* libgsf's functions ole2.c uses, each with libgsf's type. */
struct gsflib {
	__typeof__(gsf_infile_child_by_index) *infile_child_by_index;
	__typeof__(gsf_infile_get_type) *infile_get_type;
	__typeof__(gsf_infile_msole_get_type) *infile_msole_get_type;
	__typeof__(gsf_infile_msole_new) *infile_msole_new;
	__typeof__(gsf_infile_name_by_index) *infile_name_by_index;
	__typeof__(gsf_infile_num_children) *infile_num_children;
	__typeof__(gsf_init) *init;
	__typeof__(gsf_input_memory_get_type) *input_memory_get_type;
	__typeof__(gsf_input_memory_new) *input_memory_new;
	__typeof__(gsf_input_read) *input_read;
	__typeof__(gsf_input_size) *input_size;
};

/* The table, to be used only after a successful load. */
extern const struct gsflib *const gsflib;

#define gsf_infile_child_by_index(...) (gsflib->infile_child_by_index(__VA_ARGS__))
#define gsf_infile_get_type(...) (gsflib->infile_get_type(__VA_ARGS__))
#define gsf_infile_msole_get_type(...) (gsflib->infile_msole_get_type(__VA_ARGS__))
#define gsf_infile_msole_new(...) (gsflib->infile_msole_new(__VA_ARGS__))
#define gsf_infile_name_by_index(...) (gsflib->infile_name_by_index(__VA_ARGS__))
#define gsf_infile_num_children(...) (gsflib->infile_num_children(__VA_ARGS__))
#define gsf_init(...) (gsflib->init(__VA_ARGS__))
#define gsf_input_memory_get_type(...) (gsflib->input_memory_get_type(__VA_ARGS__))
#define gsf_input_memory_new(...) (gsflib->input_memory_new(__VA_ARGS__))
#define gsf_input_read(...) (gsflib->input_read(__VA_ARGS__))
#define gsf_input_size(...) (gsflib->input_size(__VA_ARGS__))

#endif
