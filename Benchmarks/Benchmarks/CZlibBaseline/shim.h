#ifndef VIGIL_BENCH_CZLIB_SHIM_H
#define VIGIL_BENCH_CZLIB_SHIM_H
// zlib's one-shot calls, the baseline the streaming Inflater and Deflater are compared with.
#include <zlib.h>
#endif
