#!/bin/sh
# tests/e2e/t-web-pages.sh - the jurists' console with many holds and a
# large attachment: the setup of the console bench (tests/bench/web.sh:
# grondslag-milter and grondslag-web with TLS client certificates, holds
# made by mail through the milter and copied in the store) with small
# numbers, asserting what the pages say, never how fast: the queue in
# pages of 100 (every hold on exactly one page, soonest expiry first, the
# count of all of them on each page, links that keep the filter, a page
# past the end, bad page numbers refused); the attachment's text page by
# page exactly as sent, each page one recorded view, and refused (and
# recorded as tampered) once the stored message changed, even after its
# text was read.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
BENCH_WEB_SMOKE=1 exec sh tests/bench/web.sh
