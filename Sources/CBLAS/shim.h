#include <cblas.h>
/* OpenBLAS extensions and the LAPACK symmetric eigensolver (OpenBLAS bundles LAPACK). */
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
            double *w, double *work, const int *lwork, int *info);
