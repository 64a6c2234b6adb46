// Probe: the same matrix products and convolutions through two oneDNN releases, Debian's 2.6 (the one cgan
// links) and a newer 3.x, in f32 and bf16, one thread, so that their speeds are compared on one machine.
// Not part of the build; the 3.x API differs from 2.6's in how descriptors are made, hence the #if.
//   2.6:  gcc -O2 Scripts/onednn-version-probe.c -o /tmp/probe26 -ldnnl
//   3.2:  python3 -m venv /tmp/dnnlenv && /tmp/dnnlenv/bin/pip install onednn-cpu-gomp==2023.2.0 onednn-devel-cpu-gomp==2023.2.0
//         gcc -O2 -I/tmp/dnnlenv/include Scripts/onednn-version-probe.c -o /tmp/probe32 -L/tmp/dnnlenv/lib -Wl,-rpath,/tmp/dnnlenv/lib -l:libdnnl.so.3
//         (the wheels put include/ and lib/ under the environment; the newest `onednn` wheel is a SYCL build, not this)
//   for p in /tmp/probe26 /tmp/probe32; do OMP_NUM_THREADS=1 taskset -c 0 $p; done
// Each line: kind, precision, shape, milliseconds per call and GFLOP/s, and the kernel oneDNN chose; in bf16 also
// the weight gradients from bf16 inputs (cgan computes them from fp32 inputs).
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
#define CHECK(x) do { dnnl_status_t s = (x); if (s != dnnl_success) { printf("error %d at %s\n", s, #x); exit(1); } } while (0)
static dnnl_engine_t eng;
static dnnl_stream_t st;

#if DNNL_VERSION_MAJOR >= 3
typedef dnnl_memory_desc_t md_t;  // already a handle
static md_t desc(int n, const dnnl_dims_t d, dnnl_data_type_t t, dnnl_format_tag_t f) { md_t m; CHECK(dnnl_memory_desc_create_with_tag(&m, n, d, t, f)); return m; }
#define MD(m) (m)
#else
typedef dnnl_memory_desc_t md_t;
static md_t desc(int n, const dnnl_dims_t d, dnnl_data_type_t t, dnnl_format_tag_t f) { md_t m; CHECK(dnnl_memory_desc_init_by_tag(&m, n, d, t, f)); return m; }
#define MD(m) (&(m))
#endif

static dnnl_memory_t mem_of(dnnl_primitive_desc_t pd, dnnl_query_t q) {
    dnnl_memory_t m; CHECK(dnnl_memory_create(&m, dnnl_primitive_desc_query_md(pd, q, 0), eng, DNNL_MEMORY_ALLOCATE)); return m;
}
static double timeit(dnnl_primitive_desc_t pd, int n, dnnl_exec_arg_t *a) {
    dnnl_primitive_t p; CHECK(dnnl_primitive_create(&p, pd));
    for (int i = 0; i < 3; i++) CHECK(dnnl_primitive_execute(p, st, n, a));
    int r = 0; double t0 = now();
    while (now() - t0 < 0.5) { CHECK(dnnl_primitive_execute(p, st, n, a)); r++; }
    CHECK(dnnl_stream_wait(st));
    return (now() - t0) / r * 1e3;
}
static const char *impl(dnnl_primitive_desc_t pd) { const char *s; dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &s); return s; }

static void matmul(int m, int n, int k, dnnl_data_type_t dt) {
    dnnl_dims_t da = {m, k}, db = {k, n}, dc = {m, n};
    md_t a = desc(2, da, dt, dnnl_ab), b = desc(2, db, dt, dnnl_ab), c = desc(2, dc, dnnl_f32, dnnl_ab);
    dnnl_primitive_desc_t pd;
#if DNNL_VERSION_MAJOR >= 3
    CHECK(dnnl_matmul_primitive_desc_create(&pd, eng, a, b, NULL, c, NULL));
#else
    dnnl_matmul_desc_t d; CHECK(dnnl_matmul_desc_init(&d, &a, &b, NULL, &c));
    CHECK(dnnl_primitive_desc_create(&pd, &d, NULL, eng, NULL));
#endif
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, mem_of(pd, dnnl_query_src_md)}, {DNNL_ARG_WEIGHTS, mem_of(pd, dnnl_query_weights_md)},
                               {DNNL_ARG_DST, mem_of(pd, dnnl_query_dst_md)}};
    double ms = timeit(pd, 3, args);
    printf("matmul %-4s %5dx%5dx%5d  %8.3f ms %7.1f GFLOP/s  %s\n", dt == dnnl_bf16 ? "bf16" : "f32", m, n, k, ms,
           2.0 * m * n * k / ms / 1e6, impl(pd));
}

// A strided 4x4 convolution (or transposed convolution) in the layouts oneDNN picks; weight gradients in f32.
static void conv(int deconv, int B, int IC, int IH, int OC, int OH, dnnl_data_type_t dt) {
    dnnl_dims_t src = {B, IC, IH, IH}, dst = {B, OC, OH, OH}, w = {OC, IC, 4, 4}, b = {OC}, str = {2, 2}, pad = {1, 1}, dil = {0, 0};
    // As cgan builds them: tensors of fewer than 16 channels stay NCHW; inputs in `dt`, every result fp32, and
    // weight gradients from fp32 inputs.
    dnnl_format_tag_t ts = IC < 16 ? dnnl_nchw : dnnl_format_tag_any, td = OC < 16 ? dnnl_nchw : dnnl_format_tag_any;
    md_t sd = desc(4, src, dt, ts), dd = desc(4, dst, dt, td), sf = desc(4, src, dnnl_f32, ts), df = desc(4, dst, dnnl_f32, td);
    md_t wd = desc(4, w, dt, dnnl_format_tag_any), wf = desc(4, w, dnnl_f32, dnnl_format_tag_any), bd = desc(1, b, dnnl_f32, dnnl_x);
    dnnl_alg_kind_t alg = deconv ? dnnl_deconvolution_direct : dnnl_convolution_direct;
    dnnl_primitive_desc_t f, d, g, nb = NULL;  // nb: a transposed forward without bias (where the time goes)
#if DNNL_VERSION_MAJOR >= 3
    if (!deconv) {
        CHECK(dnnl_convolution_forward_primitive_desc_create(&f, eng, dnnl_forward_training, alg, sd, wd, bd, df, str, dil, pad, pad, NULL));
        CHECK(dnnl_convolution_backward_data_primitive_desc_create(&d, eng, alg, sf, wd, dd, str, dil, pad, pad, f, NULL));
        CHECK(dnnl_convolution_backward_weights_primitive_desc_create(&g, eng, alg, sf, wf, bd, df, str, dil, pad, pad, f, NULL));
    } else {
        CHECK(dnnl_deconvolution_forward_primitive_desc_create(&f, eng, dnnl_forward_training, alg, sd, wd, bd, df, str, dil, pad, pad, NULL));
        CHECK(dnnl_deconvolution_forward_primitive_desc_create(&nb, eng, dnnl_forward_training, alg, sd, wd, NULL, df, str, dil, pad, pad, NULL));
        CHECK(dnnl_deconvolution_backward_data_primitive_desc_create(&d, eng, alg, sf, wd, dd, str, dil, pad, pad, nb, NULL));
        CHECK(dnnl_deconvolution_backward_weights_primitive_desc_create(&g, eng, alg, sf, wf, bd, df, str, dil, pad, pad, nb, NULL));
    }
#else
    if (!deconv) {
        dnnl_convolution_desc_t cf, cd, cg;
        CHECK(dnnl_dilated_convolution_forward_desc_init(&cf, dnnl_forward_training, alg, &sd, &wd, &bd, &df, str, dil, pad, pad));
        CHECK(dnnl_primitive_desc_create(&f, &cf, NULL, eng, NULL));
        CHECK(dnnl_dilated_convolution_backward_data_desc_init(&cd, alg, &sf, &wd, &dd, str, dil, pad, pad));
        CHECK(dnnl_primitive_desc_create(&d, &cd, NULL, eng, f));
        CHECK(dnnl_dilated_convolution_backward_weights_desc_init(&cg, alg, &sf, &wf, &bd, &df, str, dil, pad, pad));
        CHECK(dnnl_primitive_desc_create(&g, &cg, NULL, eng, f));
    } else {
        dnnl_deconvolution_desc_t cf, cd, cg;
        CHECK(dnnl_dilated_deconvolution_forward_desc_init(&cf, dnnl_forward_training, alg, &sd, &wd, &bd, &df, str, dil, pad, pad));
        CHECK(dnnl_primitive_desc_create(&f, &cf, NULL, eng, NULL));
        dnnl_deconvolution_desc_t cn;
        CHECK(dnnl_dilated_deconvolution_forward_desc_init(&cn, dnnl_forward_training, alg, &sd, &wd, NULL, &df, str, dil, pad, pad));
        CHECK(dnnl_primitive_desc_create(&nb, &cn, NULL, eng, NULL));
        CHECK(dnnl_dilated_deconvolution_backward_data_desc_init(&cd, alg, &sf, &wd, &dd, str, dil, pad, pad));
        CHECK(dnnl_primitive_desc_create(&d, &cd, NULL, eng, nb));
        CHECK(dnnl_dilated_deconvolution_backward_weights_desc_init(&cg, alg, &sf, &wf, &bd, &df, str, dil, pad, pad));
        CHECK(dnnl_primitive_desc_create(&g, &cg, NULL, eng, nb));
    }
#endif
    dnnl_memory_t bias; CHECK(dnnl_memory_create(&bias, MD(bd), eng, DNNL_MEMORY_ALLOCATE));
    dnnl_exec_arg_t fa[4] = {{DNNL_ARG_SRC, mem_of(f, dnnl_query_src_md)}, {DNNL_ARG_WEIGHTS, mem_of(f, dnnl_query_weights_md)},
                             {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, mem_of(f, dnnl_query_dst_md)}};
    dnnl_exec_arg_t da[3] = {{DNNL_ARG_DIFF_DST, mem_of(d, dnnl_query_diff_dst_md)}, {DNNL_ARG_WEIGHTS, mem_of(d, dnnl_query_weights_md)},
                             {DNNL_ARG_DIFF_SRC, mem_of(d, dnnl_query_diff_src_md)}};
    dnnl_exec_arg_t ga[4] = {{DNNL_ARG_SRC, mem_of(g, dnnl_query_src_md)}, {DNNL_ARG_DIFF_DST, mem_of(g, dnnl_query_diff_dst_md)},
                             {DNNL_ARG_DIFF_WEIGHTS, mem_of(g, dnnl_query_diff_weights_md)}, {DNNL_ARG_DIFF_BIAS, bias}};
    double t[3] = {timeit(f, 4, fa), timeit(d, 3, da), timeit(g, 4, ga)};
    if (dt == dnnl_bf16) {  // weight gradients from bf16 inputs, which cgan does not use (fp32 results either way)
        dnnl_primitive_desc_t g16;
#if DNNL_VERSION_MAJOR >= 3
        if (!deconv) CHECK(dnnl_convolution_backward_weights_primitive_desc_create(&g16, eng, alg, sd, wf, bd, dd, str, dil, pad, pad, f, NULL));
        else CHECK(dnnl_deconvolution_backward_weights_primitive_desc_create(&g16, eng, alg, sd, wf, bd, dd, str, dil, pad, pad, nb, NULL));
#else
        if (!deconv) { dnnl_convolution_desc_t c16; CHECK(dnnl_dilated_convolution_backward_weights_desc_init(&c16, alg, &sd, &wf, &bd, &dd, str, dil, pad, pad)); CHECK(dnnl_primitive_desc_create(&g16, &c16, NULL, eng, f)); }
        else { dnnl_deconvolution_desc_t c16; CHECK(dnnl_dilated_deconvolution_backward_weights_desc_init(&c16, alg, &sd, &wf, &bd, &dd, str, dil, pad, pad)); CHECK(dnnl_primitive_desc_create(&g16, &c16, NULL, eng, nb)); }
#endif
        dnnl_exec_arg_t ba[4] = {{DNNL_ARG_SRC, mem_of(g16, dnnl_query_src_md)}, {DNNL_ARG_DIFF_DST, mem_of(g16, dnnl_query_diff_dst_md)},
                                 {DNNL_ARG_DIFF_WEIGHTS, mem_of(g16, dnnl_query_diff_weights_md)}, {DNNL_ARG_DIFF_BIAS, bias}};
        printf("%-6s bf16 B%d %dx%d->%dx%d  bwd-weights from bf16 inputs %.3f ms  [%s]\n", deconv ? "deconv" : "conv", B, IC, IH, OC, OH,
               timeit(g16, 4, ba), impl(g16));
    }
    if (nb) {
        dnnl_exec_arg_t na[3] = {{DNNL_ARG_SRC, mem_of(nb, dnnl_query_src_md)}, {DNNL_ARG_WEIGHTS, mem_of(nb, dnnl_query_weights_md)},
                                 {DNNL_ARG_DST, mem_of(nb, dnnl_query_dst_md)}};
        printf("deconv %-4s B%d %dx%d->%dx%d  fwd without bias %.3f ms  [%s]\n", dt == dnnl_bf16 ? "bf16" : "f32", B, IC, IH, OC, OH, timeit(nb, 3, na), impl(nb));
    }
    double flop = 2.0 * B * IC * OC * 16 * (deconv ? IH * IH : OH * OH);
    printf("%-6s %-4s B%d %dx%d->%dx%d  fwd %.3f ms, bwd-data %.3f, bwd-weights %.3f; %.1f GFLOP/s over the three  [%s | %s | %s]\n",
           deconv ? "deconv" : "conv", dt == dnnl_bf16 ? "bf16" : "f32", B, IC, IH, OC, OH, t[0], t[1], t[2],
           3 * flop / (t[0] + t[1] + t[2]) / 1e6, impl(f), impl(d), impl(g));
}

int main(void) {
    const dnnl_version_t *v = dnnl_version();
    printf("oneDNN %d.%d.%d\n", v->major, v->minor, v->patch);
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    // The paper model's products (batch 100: 784 -> 1200 -> ...; 240 x 1200 maxout pieces) and mlp's (batch 64).
    int shapes[][3] = {{100, 1200, 784}, {100, 1200, 1200}, {100, 784, 1200}, {64, 1024, 784}, {64, 512, 1024}, {64, 1024, 512}};
    for (int bf = 0; bf < 2; bf++)
        for (int i = 0; i < 6; i++) matmul(shapes[i][0], shapes[i][1], shapes[i][2], bf ? dnnl_bf16 : dnnl_f32);
    // The 28x28 dcgan's convolutions at batch 64: D 11 -> 64 (28 -> 14), 64 -> 128 (14 -> 7); G 128 -> 64 (7 -> 14), 64 -> 1.
    for (int bf = 0; bf < 2; bf++) {
        dnnl_data_type_t dt = bf ? dnnl_bf16 : dnnl_f32;
        conv(0, 64, 11, 28, 64, 14, dt);
        conv(0, 64, 64, 14, 128, 7, dt);
        conv(1, 64, 128, 7, 64, 14, dt);
        conv(1, 64, 64, 14, 1, 28, dt);
        // G's transposed convolutions as the convolutions they are the adjoints of: this forward is that
        // backward-data, this backward-data that forward.
        conv(0, 64, 64, 14, 128, 7, dt);
        conv(0, 64, 1, 28, 64, 14, dt);
    }
    return 0;
}
