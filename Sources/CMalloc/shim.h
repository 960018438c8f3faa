// glibc's malloc tuning (`mallopt`), which the Glibc module does not export: the executable sets
// a fixed mmap threshold (Sources/covenant/main.swift says why).
#if defined(__linux__)
#include <malloc.h>
#endif
