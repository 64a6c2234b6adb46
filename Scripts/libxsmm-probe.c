// Probe: libxsmm 1.17 (Debian libxsmm-dev) JIT kernels, f32 and bf16 inputs with f32 results, one thread, on
// the paper model's and mlp's product shapes (rows x columns x inner; then 64^3 and 32^3, the small products
// libxsmm is made for), to set beside
// Scripts/onednn-version-probe.c's oneDNN figures for the same shapes. Not part of the build:
//   apt-get install -y libxsmm-dev && gcc -O2 Scripts/libxsmm-probe.c -o /tmp/xsmm -lxsmm -lxsmmnoblas -lm -lpthread -ldl
//   taskset -c 0 /tmp/xsmm
#include <libxsmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(void){
  libxsmm_init();
  int shapes[][3]={{100,1200,784},{100,1200,1200},{100,784,1200},{64,1024,784},{64,512,1024},{64,1024,512},{64,64,64},{32,32,32}};
  for(int i=0;i<8;i++){int m=shapes[i][1], n=shapes[i][0], k=shapes[i][2]; /* column-major: C[m,n] = A[m,k] B[k,n] */
    float *a=calloc((size_t)m*k,4),*b=calloc((size_t)k*n,4),*c=calloc((size_t)m*n,4);
    libxsmm_smmfunction f=libxsmm_smmdispatch(m,n,k,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
    if(f){for(int r=0;r<3;r++)f(a,b,c);int r=0;double t0=now();while(now()-t0<0.5){f(a,b,c);r++;}
      double ms=(now()-t0)/r*1e3; printf("libxsmm f32 JIT %5dx%5dx%5d %8.3f ms %7.1f GFLOP/s\n",n,m,k,ms,2.0*m*n*k/ms/1e6);}
    else printf("libxsmm f32 %5dx%5dx%5d: no JIT kernel (above LIBXSMM's size threshold)\n",n,m,k);
    libxsmm_bsmmfunction g=libxsmm_bsmmdispatch(m,n,k,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
    if(g){libxsmm_bfloat16*ab=calloc((size_t)m*k,2),*bb=calloc((size_t)k*n,2);for(int q=0;q<3;q++)g(ab,bb,c);int r2=0;double t1=now();while(now()-t1<0.5){g(ab,bb,c);r2++;}
      double ms2=(now()-t1)/r2*1e3; printf("libxsmm bf16 JIT %5dx%5dx%5d %8.3f ms %7.1f GFLOP/s\n",n,m,k,ms2,2.0*m*n*k/ms2/1e6);}
    else printf("libxsmm bf16 %5dx%5dx%5d: no JIT kernel\n",n,m,k);
  }
  libxsmm_finalize(); return 0;}
