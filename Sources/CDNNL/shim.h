#include <oneapi/dnnl/dnnl.h>
/* Debian's oneDNN runs on OpenMP (libgomp): its thread count is OpenMP's. */
void omp_set_num_threads(int);
int omp_get_max_threads(void);
int omp_get_num_threads(void);
int omp_get_thread_num(void);
/* libgomp's entry point for a parallel region (what GCC compiles `#pragma omp parallel` to): runs fn(data) on
   num_threads threads of the pool oneDNN uses, so element-wise passes share its threads instead of adding more. */
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
