/*
 * textx.c - a charset decoder feeding a text stage: one converter for
 * the walker (see textx.h).  The stages do the work; this file only joins
 * them and keeps the first non-zero answer of emit().
 */
#include <stdlib.h>

#include "grondslag/scan/charset.h"
#include "grondslag/scan/markup.h"
#include "grondslag/scan/textx.h"

struct textx {
	struct charset_dec *dec;
	struct markup *mk;
	int rc;
};

/* The decoder's sink: its UTF-8 into the text stage. */
static int to_markup(void *arg, const char *utf8, size_t len)
{
	return markup_update(arg, utf8, len);
}

struct textx *textx_alloc(enum markup_kind markup, const char *charset,
			  int (*emit)(void *arg, const char *buf, size_t len), void *arg)
{
	struct textx *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->mk = markup_alloc(markup, emit, arg);
	t->dec = t->mk != NULL ? charset_dec_alloc(charset, to_markup, t->mk) : NULL;
	if (t->dec == NULL) {
		textx_free(t);
		return NULL;
	}
	markup_nul_alone(t->mk);	/* the decoder hands NUL on alone */
	return t;
}

void textx_unfold_lines(struct textx *t)
{
	markup_unfold_lines(t->mk);
}

int textx_update(struct textx *t, const void *buf, size_t len)
{
	if (t->rc == 0 && len > 0)
		t->rc = charset_dec_update(t->dec, buf, len);
	return t->rc;
}

int textx_next_document(struct textx *t)
{
	int rc = charset_dec_end(t->dec);
	if (t->rc == 0)
		t->rc = rc;
	rc = markup_next_document(t->mk);
	if (t->rc == 0)
		t->rc = rc;
	return t->rc;
}

int textx_finish(struct textx *t)
{
	if (t->rc == 0)
		t->rc = charset_dec_end(t->dec);
	int rc = markup_finish(t->mk);
	if (t->rc == 0)
		t->rc = rc;
	return t->rc;
}

void textx_free(struct textx *t)
{
	if (t == NULL)
		return;
	charset_dec_free(t->dec);
	markup_free(t->mk);
	free(t);
}
