/*
 * fixture_dir.h - one private temporary directory per test program, for
 * tests that need real files (stores, keys, sockets).  Include after
 * testutil.h; call fixture_dir_make() from the group set-up and
 * fixture_dir_remove() from the tear-down.  Flat: files only.
 */
#ifndef GRONDSLAG_FIXTURE_DIR_H
#define GRONDSLAG_FIXTURE_DIR_H

#include <dirent.h>
#include <unistd.h>

/* The directory, "/tmp/grondslag-test-TAG-XXXXXX" once made. */
static char dir[64];

/* Make the directory; 0 or -1 (cmocka group set-up convention). */
static int fixture_dir_make(const char *tag)
{
	snprintf(dir, sizeof dir, "/tmp/grondslag-test-%.20s-XXXXXX", tag);
	return mkdtemp(dir) ? 0 : -1;
}

/* Remove the files in the directory and the directory; always 0. */
static int fixture_dir_remove(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			unlink(p);
		}
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	return 0;
}

#endif
