/*
 * version.h - the version of grondslag, printed by "grondslag --version"
 * and "grondslag-milter -V" (--version).
 */
#ifndef GRONDSLAG_VERSION_H
#define GRONDSLAG_VERSION_H

#define GRONDSLAG_VERSION "0.3.0"

#endif
