/*
 * fault.h - named fault points for the crash-window tests.
 *
 * A fault point marks a moment whose crash behaviour the tests must
 * force exactly (the milter between marking a release token and its
 * reply, the relay process between the relay's 250 and its receipt, the
 * milter between storing a hold and its reply).  In the daemon that is
 * installed fault_point() does nothing.  The test build of the daemon
 * (build/tests/grondslag-milter-faults, milter/base/fault.c compiled with
 * GRONDSLAG_FAULTS) reads the file named by GRONDSLAG_FAULT_FILE: when
 * its first line is the point's name, the file is removed (the fault
 * fires once) and the process kills itself with SIGKILL, as kill -9
 * would.
 *
 * Public functions:
 *   fault_point()
 */
#ifndef GRONDSLAG_FAULT_H
#define GRONDSLAG_FAULT_H

/* Die here when the test build was asked to (see above). */
void fault_point(const char *name);

#endif
