/*
 * fixture_store.h - a store for a test: made with store_init() when the
 * file does not exist yet (as `grondslag store init` does before the
 * daemon's first start; store_open() never creates one), then opened.
 */
#ifndef GRONDSLAG_FIXTURE_STORE_H
#define GRONDSLAG_FIXTURE_STORE_H

#include <unistd.h>

#include "grondslag/store/store.h"

static inline struct store *fixture_store_open(const char *path, char *err, size_t errlen)
{
	if (path != NULL && *path && access(path, F_OK) != 0 &&
	    store_init(path, NULL, err, errlen) != 0)
		return NULL;
	return store_open(path, err, errlen);
}

#endif
