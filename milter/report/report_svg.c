/*
 * report_svg.c - the inline SVG charts of the HTML report (see
 * report_html.c): the series of holds (bars) and shares (a line) per week
 * or month, and horizontal bars for a breakdown (party, reason).
 *
 * Every chart has a fixed viewBox and width/height attributes, so it has
 * a size without any stylesheet, and scales down with CSS max-width.
 * Bars carry class "bar" (the browser test measures them).  No data
 * draws the axes and says so, never an empty box.  Numbers are written
 * with one decimal at most, independent of the locale.
 *
 * Public functions (report_priv.h): report_svg_series(),
 * report_svg_bars(), report_html_escape().
 * Limits: labels are cut at SVG_LABEL_MAX bytes (on a UTF-8 boundary);
 * the x axis names at most SVG_XLABELS buckets.
 */
#include <inttypes.h>
#include <string.h>

#include "grondslag/base/clean.h"
#include "report_priv.h"

#define SVG_W 900
#define SVG_H 280
#define SVG_LEFT 56
#define SVG_RIGHT 16
#define SVG_TOP 24
#define SVG_BOTTOM 48
#define SVG_XLABELS 12
#define SVG_LABEL_MAX 40
#define SVG_ROW 26
#define SVG_BAR_LEFT 300

void report_html_escape(const char *s, FILE *out)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* control characters are not allowed in HTML text */
			fputc(clean_char((unsigned char)*s, 0), out);
		}
	}
}

/* Escape at most max bytes of s, cut on a UTF-8 character boundary, with
 * an ellipsis when cut. */
static void escape_cut(const char *s, size_t max, FILE *out)
{
	size_t n = strlen(s);
	if (n <= max) {
		report_html_escape(s, out);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	char buf[SVG_LABEL_MAX + 1];
	memcpy(buf, s, max);
	buf[max] = '\0';
	report_html_escape(buf, out);
	fputs("\xe2\x80\xa6", out);	/* U+2026 */
}

/* A round tick step for values up to v: 1, 2 or 5 times a power of ten,
 * so that about four steps cover v. */
static uint64_t nice_step(uint64_t v)
{
	uint64_t want = (v + 3) / 4, p = 1;
	if (want <= 1)
		return 1;
	while (p <= want / 10)
		p *= 10;
	for (;;) {
		if (want <= p)
			return p;
		if (want <= 2 * p)
			return 2 * p;
		if (want <= 5 * p)
			return 5 * p;
		p *= 10;
	}
}

/* Opening tag of a chart. */
static void svg_open(const char *id, int w, int h, const char *title, FILE *out)
{
	fprintf(out,
		"<svg class=\"chart\" id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
		" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>",
		id, w, h, w, h);
	report_html_escape(title, out);
	fputs("</title>\n", out);
}

/* The y axis: a gridline and a number at every step up to max. */
static void y_axis(uint64_t max, uint64_t step, int plot_h, FILE *out)
{
	for (uint64_t v = 0; v <= max; v += step) {
		double y = SVG_TOP + plot_h - (double)plot_h * (double)v / (double)max;
		fprintf(out,
			"<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			"<text class=\"ytick\" x=\"%d\" y=\"%.1f\">%" PRIu64 "</text>\n",
			SVG_LEFT, y, SVG_W - SVG_RIGHT, y, SVG_LEFT - 6, y + 4, v);
	}
}

void report_svg_series(const struct report *r, FILE *out)
{
	const int plot_w = SVG_W - SVG_LEFT - SVG_RIGHT, plot_h = SVG_H - SVG_TOP - SVG_BOTTOM;
	uint64_t top = 0;
	for (size_t i = 0; i < r->nbuckets; i++) {
		if (r->buckets[i].holds > top)
			top = r->buckets[i].holds;
		if (r->buckets[i].shares > top)
			top = r->buckets[i].shares;
	}
	uint64_t step = nice_step(top);
	uint64_t max = top == 0 ? 4 * step : (top + step - 1) / step * step;
	svg_open("chart-series", SVG_W, SVG_H,
		 r->grain == REPORT_GRAIN_WEEK ? "Holds and shares per week"
					       : "Holds and shares per month",
		 out);
	y_axis(max, step, plot_h, out);
	size_t n = r->nbuckets;
	double slot = (double)plot_w / (double)n;
	double bw = slot * 0.7 > 60 ? 60 : slot * 0.7;
	size_t every = (n + SVG_XLABELS - 1) / SVG_XLABELS;
	for (size_t i = 0; i < n; i++) {
		const struct report_bucket *b = &r->buckets[i];
		double cx = SVG_LEFT + slot * ((double)i + 0.5);
		double h = (double)plot_h * (double)b->holds / (double)max;
		if (b->holds > 0)
			fprintf(out,
				"<rect class=\"bar holds\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
				" height=\"%.1f\"><title>%s: %" PRIu64 " held, %" PRIu64
				" shared</title></rect>\n",
				cx - bw / 2, SVG_TOP + plot_h - h, bw, h, b->label, b->holds,
				b->shares);
		if (i % every == 0)
			fprintf(out, "<text class=\"xtick\" x=\"%.1f\" y=\"%d\">%s</text>\n", cx,
				SVG_TOP + plot_h + 18, b->label);
	}
	fputs("<polyline class=\"line shares\" points=\"", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%.1f,%.1f", i ? " " : "", SVG_LEFT + slot * ((double)i + 0.5),
			SVG_TOP + plot_h -
				(double)plot_h * (double)r->buckets[i].shares / (double)max);
	fputs("\"/>\n", out);
	if (top == 0)
		fprintf(out, "<text class=\"empty\" x=\"%d\" y=\"%d\">No holds or shares in this"
			     " period</text>\n",
			SVG_W / 2, SVG_TOP + plot_h / 2);
	fprintf(out,
		"<rect class=\"key holds\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\"/>"
		"<text class=\"legend\" x=\"%d\" y=\"%d\">messages held</text>"
		"<line class=\"key shares\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		"<text class=\"legend\" x=\"%d\" y=\"%d\">recipients shared on a basis</text>\n"
		"</svg>\n",
		SVG_LEFT, SVG_H - 16, SVG_LEFT + 18, SVG_H - 6, SVG_LEFT + 160, SVG_H - 10,
		SVG_LEFT + 184, SVG_H - 10, SVG_LEFT + 190, SVG_H - 6);
}

void report_svg_bars(const struct report_list *l, bool by_recipients, unsigned max,
		     const char *id, FILE *out)
{
	size_t n = l->n < max ? l->n : max;
	int h = SVG_TOP + (int)(n ? n : 1) * SVG_ROW + 8;
	svg_open(id, SVG_W, h, by_recipients ? "Held recipients" : "Messages held", out);
	uint64_t top = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t v = by_recipients ? l->rows[i].recipients : l->rows[i].messages;
		if (v > top)
			top = v;
	}
	const int plot_w = SVG_W - SVG_BAR_LEFT - SVG_RIGHT - 60;
	if (n == 0)
		fprintf(out, "<text class=\"empty\" x=\"%d\" y=\"%d\">None in this period</text>\n",
			SVG_W / 2, SVG_TOP + SVG_ROW / 2);
	for (size_t i = 0; i < n; i++) {
		const struct report_row *p = &l->rows[i];
		uint64_t v = by_recipients ? p->recipients : p->messages;
		double w = top ? (double)plot_w * (double)v / (double)top : 0;
		int y = SVG_TOP + (int)i * SVG_ROW;
		fprintf(out, "<text class=\"label\" x=\"%d\" y=\"%d\">", SVG_BAR_LEFT - 8, y + 16);
		if (!p->known && p->name[0] == '\0' && p->country[0] == '\0' && p->foreign)
			fputs("unknown: ", out);
		escape_cut(p->name[0] ? p->name : p->key, SVG_LABEL_MAX, out);
		if (p->country[0]) {
			fputs(" (", out);
			report_html_escape(p->country, out);
			fputc(')', out);
		}
		fprintf(out,
			"</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>"
			"<text class=\"value\" x=\"%.1f\" y=\"%d\">%" PRIu64 "</text>\n",
			SVG_BAR_LEFT, y + 4, w < 1 ? 1.0 : w, SVG_ROW - 8, SVG_BAR_LEFT + w + 6,
			y + 16, v);
	}
	fputs("</svg>\n", out);
}
