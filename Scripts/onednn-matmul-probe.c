// Probe: oneDNN 2.6 (Debian libdnnl-dev) matmul in f32 and bf16 against OpenBLAS sgemm, one thread,
// on a square product and the shapes of the paper and dcgan steps. Not part of the build:
//   apt-get install -y libdnnl-dev && gcc -O2 Scripts/onednn-matmul-probe.c -o /tmp/probe -ldnnl -lopenblas
//   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /tmp/probe
// bf16 (AMX/AVX512_BF16 via oneDNN 2.6) vs fp32 matmul, C = A[m,k] B[k,n], one thread.
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
#define CHECK(x) do { dnnl_status_t s = (x); if (s != dnnl_success) { printf("error %d at %s\n", s, #x); exit(1); } } while (0)
static double run(dnnl_engine_t eng, dnnl_stream_t st, int m, int n, int k, dnnl_data_type_t dt) {
    dnnl_memory_desc_t a, b, c;
    dnnl_dims_t da = {m, k}, db = {k, n}, dc = {m, n};
    CHECK(dnnl_memory_desc_init_by_tag(&a, 2, da, dt, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_tag(&b, 2, db, dt, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_tag(&c, 2, dc, dnnl_f32, dnnl_ab));
    dnnl_matmul_desc_t md; CHECK(dnnl_matmul_desc_init(&md, &a, &b, NULL, &c));
    dnnl_primitive_desc_t pd; CHECK(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
    const char *impl; dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    dnnl_primitive_t p; CHECK(dnnl_primitive_create(&p, pd));
    dnnl_memory_t ma, mb, mc;
    CHECK(dnnl_memory_create(&ma, &a, eng, DNNL_MEMORY_ALLOCATE)); CHECK(dnnl_memory_create(&mb, &b, eng, DNNL_MEMORY_ALLOCATE));
    CHECK(dnnl_memory_create(&mc, &c, eng, DNNL_MEMORY_ALLOCATE));
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}};
    for (int i = 0; i < 3; i++) CHECK(dnnl_primitive_execute(p, st, 3, args));
    dnnl_stream_wait(st);
    int reps = 0; double t0 = now();
    while (now() - t0 < 1.0) { CHECK(dnnl_primitive_execute(p, st, 3, args)); reps++; }
    dnnl_stream_wait(st);
    double g = 2.0 * m * n * k * reps / (now() - t0) / 1e9;
    printf("%-5s %5dx%5dx%5d %8.1f GFLOP/s  (%s)\n", dt == dnnl_bf16 ? "bf16" : "f32", m, n, k, g, impl);
    return g;
}
static void sg(int m, int n, int k) {
    float *a = calloc((size_t)m * k, 4), *b = calloc((size_t)k * n, 4), *c = calloc((size_t)m * n, 4);
    for (int i = 0; i < 3; i++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
    int reps = 0; double t0 = now();
    while (now() - t0 < 1.0) { cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n); reps++; }
    printf("sgemm %5dx%5dx%5d %8.1f GFLOP/s (OpenBLAS)\n", m, n, k, 2.0 * m * n * k * reps / (now() - t0) / 1e9);
}
int main(void) {
    dnnl_engine_t eng; dnnl_stream_t st;
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0)); CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    int shapes[][3] = {{2048, 2048, 2048}, {100, 1200, 1200}, {200, 1200, 784}, {64, 6272, 110}, {64, 6272, 2048}};
    for (int i = 0; i < 5; i++) {
        sg(shapes[i][0], shapes[i][1], shapes[i][2]);
        run(eng, st, shapes[i][0], shapes[i][1], shapes[i][2], dnnl_f32);
        run(eng, st, shapes[i][0], shapes[i][1], shapes[i][2], dnnl_bf16);
    }
}
