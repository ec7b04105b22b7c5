// OpenBLAS and its LAPACK: the yardstick that nmsweep-bench measures the compute core against.
// Linked into the benchmark alone; the product never depends on a BLAS.
#ifndef NMSWEEP_COPENBLAS_SHIM_H
#define NMSWEEP_COPENBLAS_SHIM_H
#include <cblas.h>

// Debian's libopenblas carries LAPACK; lapack.h's macros are heavy, so declare the one routine used.
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda, float *s,
             float *u, const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork,
             int *iwork, int *info);
#endif
