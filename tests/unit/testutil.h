/*
 * testutil.h - what every cmocka unit test includes: cmocka's own
 * prerequisites in the order it needs them, and small helpers for
 * table-driven tests ("got X, want Y" messages).
 */
#ifndef GRONDSLAG_TESTUTIL_H
#define GRONDSLAG_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Fail with the table row's name and the two strings. */
#define assert_str_eq_msg(row, got, want)                                           \
	do {                                                                        \
		const char *g_ = (got), *w_ = (want);                               \
		if ((g_ == NULL) != (w_ == NULL) || (g_ && strcmp(g_, w_) != 0))     \
			fail_msg("%s: got \"%s\", want \"%s\"", (row), g_ ? g_ : "(null)", \
				 w_ ? w_ : "(null)");                               \
	} while (0)

#define assert_int_eq_msg(row, got, want)                                           \
	do {                                                                        \
		long long g_ = (long long)(got), w_ = (long long)(want);            \
		if (g_ != w_)                                                       \
			fail_msg("%s: got %lld, want %lld", (row), g_, w_);         \
	} while (0)

#endif
