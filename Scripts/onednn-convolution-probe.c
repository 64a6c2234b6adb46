// Probe: oneDNN 2.6 convolution and deconvolution (forward, backward-data, backward-weights) on the
// dcgan's layer shapes, f32 and bf16, plain NCHW against the layouts oneDNN chooses. Not part of the build:
//   gcc -O2 Scripts/onednn-convolution-probe.c -o /tmp/conv -ldnnl && OMP_NUM_THREADS=1 /tmp/conv
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define CHECK(x) do{dnnl_status_t s=(x);if(s!=dnnl_success){printf("error %d at %s\n",s,#x);exit(1);}}while(0)
dnnl_engine_t eng; dnnl_stream_t st;
static dnnl_memory_t mem(const dnnl_memory_desc_t*d){dnnl_memory_t m;CHECK(dnnl_memory_create(&m,d,eng,DNNL_MEMORY_ALLOCATE));return m;}
static double timeit(dnnl_primitive_t p,int n,dnnl_exec_arg_t*a){for(int i=0;i<3;i++)CHECK(dnnl_primitive_execute(p,st,n,a));int r=0;double t0=now();while(now()-t0<0.5){CHECK(dnnl_primitive_execute(p,st,n,a));r++;}return (now()-t0)/r*1e3;}
static void probe(int deconv,int B,int IC,int IH,int OC,int OH,int K,int S,int P,dnnl_data_type_t dt,int any){
  dnnl_dims_t src={B,IC,IH,IH},dst={B,OC,OH,OH},w={OC,IC,K,K},b={OC},str={S,S},pad={P,P};
  dnnl_memory_desc_t sd,dd,wd,bd;
  dnnl_format_tag_t t=any?dnnl_format_tag_any:dnnl_nchw;
  CHECK(dnnl_memory_desc_init_by_tag(&sd,4,src,dt,t));CHECK(dnnl_memory_desc_init_by_tag(&dd,4,dst,dt,t));
  CHECK(dnnl_memory_desc_init_by_tag(&wd,4,w,dt,any?dnnl_format_tag_any:(deconv?dnnl_iohw:dnnl_oihw)));CHECK(dnnl_memory_desc_init_by_tag(&bd,1,b,dnnl_f32,dnnl_x));
  const char*impl[3];double ms[3];
  dnnl_primitive_desc_t fpd,dpd,wpd;
  dnnl_memory_desc_t wdf; CHECK(dnnl_memory_desc_init_by_tag(&wdf,4,w,dnnl_f32,any?dnnl_format_tag_any:(deconv?dnnl_iohw:dnnl_oihw)));
  if(!deconv){dnnl_convolution_desc_t f,d,ww;
    CHECK(dnnl_convolution_forward_desc_init(&f,dnnl_forward_training,dnnl_convolution_direct,&sd,&wd,&bd,&dd,str,pad,pad));
    CHECK(dnnl_primitive_desc_create(&fpd,&f,NULL,eng,NULL));
    CHECK(dnnl_convolution_backward_data_desc_init(&d,dnnl_convolution_direct,&sd,&wd,&dd,str,pad,pad));
    CHECK(dnnl_primitive_desc_create(&dpd,&d,NULL,eng,fpd));
    CHECK(dnnl_convolution_backward_weights_desc_init(&ww,dnnl_convolution_direct,&sd,&wdf,&bd,&dd,str,pad,pad));
    CHECK(dnnl_primitive_desc_create(&wpd,&ww,NULL,eng,fpd));
  } else {dnnl_deconvolution_desc_t f,d,ww;
    CHECK(dnnl_deconvolution_forward_desc_init(&f,dnnl_forward_training,dnnl_deconvolution_direct,&sd,&wd,&bd,&dd,str,pad,pad));
    CHECK(dnnl_primitive_desc_create(&fpd,&f,NULL,eng,NULL));
    CHECK(dnnl_deconvolution_backward_data_desc_init(&d,dnnl_deconvolution_direct,&sd,&wd,&dd,str,pad,pad));
    CHECK(dnnl_primitive_desc_create(&dpd,&d,NULL,eng,fpd));
    CHECK(dnnl_deconvolution_backward_weights_desc_init(&ww,dnnl_deconvolution_direct,&sd,&wdf,&bd,&dd,str,pad,pad));
    CHECK(dnnl_primitive_desc_create(&wpd,&ww,NULL,eng,fpd));}
  dnnl_primitive_desc_t pds[3]={fpd,dpd,wpd};
  for(int i=0;i<3;i++){dnnl_primitive_desc_query(pds[i],dnnl_query_impl_info_str,0,&impl[i]);
    dnnl_primitive_t p;CHECK(dnnl_primitive_create(&p,pds[i]));
    dnnl_exec_arg_t a[4];int n=0;
    if(i==0){a[n++]=(dnnl_exec_arg_t){DNNL_ARG_SRC,mem(dnnl_primitive_desc_query_md(fpd,dnnl_query_src_md,0))};a[n++]=(dnnl_exec_arg_t){DNNL_ARG_WEIGHTS,mem(dnnl_primitive_desc_query_md(fpd,dnnl_query_weights_md,0))};a[n++]=(dnnl_exec_arg_t){DNNL_ARG_BIAS,mem(&bd)};a[n++]=(dnnl_exec_arg_t){DNNL_ARG_DST,mem(dnnl_primitive_desc_query_md(fpd,dnnl_query_dst_md,0))};}
    if(i==1){a[n++]=(dnnl_exec_arg_t){DNNL_ARG_DIFF_DST,mem(dnnl_primitive_desc_query_md(dpd,dnnl_query_diff_dst_md,0))};a[n++]=(dnnl_exec_arg_t){DNNL_ARG_WEIGHTS,mem(dnnl_primitive_desc_query_md(dpd,dnnl_query_weights_md,0))};a[n++]=(dnnl_exec_arg_t){DNNL_ARG_DIFF_SRC,mem(dnnl_primitive_desc_query_md(dpd,dnnl_query_diff_src_md,0))};}
    if(i==2){a[n++]=(dnnl_exec_arg_t){DNNL_ARG_SRC,mem(dnnl_primitive_desc_query_md(wpd,dnnl_query_src_md,0))};a[n++]=(dnnl_exec_arg_t){DNNL_ARG_DIFF_DST,mem(dnnl_primitive_desc_query_md(wpd,dnnl_query_diff_dst_md,0))};a[n++]=(dnnl_exec_arg_t){DNNL_ARG_DIFF_WEIGHTS,mem(dnnl_primitive_desc_query_md(wpd,dnnl_query_diff_weights_md,0))};a[n++]=(dnnl_exec_arg_t){DNNL_ARG_DIFF_BIAS,mem(&bd)};}
    ms[i]=timeit(p,n,a);}
  double gf=2.0*B*OC*OH*OH*IC*K*K/1e6; if(deconv) gf=2.0*B*IC*IH*IH*OC*K*K/1e6;
  printf("%s %s %s B%d %dx%d->%dx%d (%.0f MFLOP): fwd %.2f ms (%s) bwd-data %.2f (%s) bwd-w %.2f (%s)\n",deconv?"deconv":"conv",dt==dnnl_bf16?"bf16":"f32",any?"any":"plain",B,IC,IH,OC,OH,gf,ms[0],impl[0],ms[1],impl[1],ms[2],impl[2]);
}
int main(){CHECK(dnnl_engine_create(&eng,dnnl_cpu,0));CHECK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
 for(int any=0;any<2;any++)for(int bf=0;bf<2;bf++){dnnl_data_type_t dt=bf?dnnl_bf16:dnnl_f32;
  probe(0,128,64,14,128,7,4,2,1,dt,any);
  probe(0,128,1,28,64,14,4,2,1,dt,any);
  probe(1,64,128,7,64,14,4,2,1,dt,any);
  probe(1,64,64,14,1,28,4,2,1,dt,any);}}
