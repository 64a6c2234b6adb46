// How many malloc calls one dnnl_primitive_execute makes (oneDNN 2.6): run with 1,000 and 11,000 executions
// of one small matmul and subtract. Not part of the build:
//   gcc -O2 Scripts/onednn-execute-mallocs.c -o /tmp/exec -ldnnl && perf probe -x /lib/x86_64-linux-gnu/libc.so.6 malloc
//   for k in 1000 11000; do OMP_NUM_THREADS=1 perf stat -e probe_libc:malloc /tmp/exec $k; done
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#define CHECK(x) do{dnnl_status_t s=(x);if(s!=dnnl_success){printf("error %d at %s\n",s,#x);exit(1);}}while(0)
int main(int argc,char**argv){int K=atoi(argv[1]);dnnl_engine_t eng;dnnl_stream_t st;CHECK(dnnl_engine_create(&eng,dnnl_cpu,0));CHECK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
 dnnl_memory_desc_t a,b,c;dnnl_dims_t da={64,128},db={128,256},dc={64,256};
 CHECK(dnnl_memory_desc_init_by_tag(&a,2,da,dnnl_f32,dnnl_ab));CHECK(dnnl_memory_desc_init_by_tag(&b,2,db,dnnl_f32,dnnl_ab));CHECK(dnnl_memory_desc_init_by_tag(&c,2,dc,dnnl_f32,dnnl_ab));
 dnnl_matmul_desc_t md;CHECK(dnnl_matmul_desc_init(&md,&a,&b,NULL,&c));dnnl_primitive_desc_t pd;CHECK(dnnl_primitive_desc_create(&pd,&md,NULL,eng,NULL));dnnl_primitive_t p;CHECK(dnnl_primitive_create(&p,pd));
 dnnl_memory_t ma,mb,mc;CHECK(dnnl_memory_create(&ma,&a,eng,DNNL_MEMORY_ALLOCATE));CHECK(dnnl_memory_create(&mb,&b,eng,DNNL_MEMORY_ALLOCATE));CHECK(dnnl_memory_create(&mc,&c,eng,DNNL_MEMORY_ALLOCATE));
 dnnl_exec_arg_t args[3]={{DNNL_ARG_SRC,ma},{DNNL_ARG_WEIGHTS,mb},{DNNL_ARG_DST,mc}};
 for(int i=0;i<K;i++)CHECK(dnnl_primitive_execute(p,st,3,args));return 0;}
