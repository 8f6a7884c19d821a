/*
 * fault.c - named fault points (see fault.h).  Without GRONDSLAG_FAULTS
 * (the installed daemon) fault_point() is empty; the Makefile compiles
 * this file a second time with it for build/tests/grondslag-milter-faults.
 *
 * Public functions: fault_point().
 * Limits: the fault file's first line is compared, at most 63 bytes.
 */
#include "grondslag/base/fault.h"

#ifdef GRONDSLAG_FAULTS
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fault_point(const char *name)
{
	const char *path = getenv("GRONDSLAG_FAULT_FILE");
	if (path == NULL || *path == '\0')
		return;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[64];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	/* only the first to remove the file dies: it fires once */
	if (strcmp(buf, name) == 0 && unlink(path) == 0)
		raise(SIGKILL);
}
#else
void fault_point(const char *name)
{
	(void)name;
}
#endif
