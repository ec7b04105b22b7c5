#include "CVectorMath.h"
#include <math.h>
#include <string.h>

void nm_adamw_update(size_t count, float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                     float decay, float oneMinusBeta1, float beta2, float oneMinusBeta2, float stepSize,
                     float inverseCorrection2Sqrt, float epsilon) {
    for (size_t i = 0; i < count; i++) {
        float gi = g[i];
        float mi = m[i] + oneMinusBeta1 * (gi - m[i]);
        float vi = beta2 * v[i] + oneMinusBeta2 * (gi * gi);
        float pi = p[i] * decay;
        float denominator = sqrtf(vi) * inverseCorrection2Sqrt + epsilon;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - stepSize * (mi / denominator);
    }
}

typedef float nm_v8 __attribute__((vector_size(32)));

static inline nm_v8 nm_load8(const float *p) {
    nm_v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void nm_store8(float *p, nm_v8 v) { memcpy(p, &v, sizeof v); }

/// dst[p·ldd + j] = src[j·ld + p] for j, p < 8.
static inline void nm_transpose8x8(const float *src, ptrdiff_t ld, float *dst, ptrdiff_t ldd) {
    nm_v8 r0 = nm_load8(src), r1 = nm_load8(src + ld), r2 = nm_load8(src + 2 * ld), r3 = nm_load8(src + 3 * ld);
    nm_v8 r4 = nm_load8(src + 4 * ld), r5 = nm_load8(src + 5 * ld), r6 = nm_load8(src + 6 * ld), r7 = nm_load8(src + 7 * ld);
    // Interleave row pairs within 128-bit lanes (unpcklps / unpckhps).
    nm_v8 t0 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13);
    nm_v8 t1 = __builtin_shufflevector(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
    nm_v8 t2 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13);
    nm_v8 t3 = __builtin_shufflevector(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
    nm_v8 t4 = __builtin_shufflevector(r4, r5, 0, 8, 1, 9, 4, 12, 5, 13);
    nm_v8 t5 = __builtin_shufflevector(r4, r5, 2, 10, 3, 11, 6, 14, 7, 15);
    nm_v8 t6 = __builtin_shufflevector(r6, r7, 0, 8, 1, 9, 4, 12, 5, 13);
    nm_v8 t7 = __builtin_shufflevector(r6, r7, 2, 10, 3, 11, 6, 14, 7, 15);
    // Pairs of pairs (shufps): u0 = a0 b0 c0 d0 | a4 b4 c4 d4, …
    nm_v8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    nm_v8 u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    nm_v8 u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    nm_v8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    nm_v8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
    nm_v8 u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
    nm_v8 u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
    nm_v8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
    // 128-bit halves (vperm2f128).
    nm_store8(dst, __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11));
    nm_store8(dst + ldd, __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11));
    nm_store8(dst + 2 * ldd, __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11));
    nm_store8(dst + 3 * ldd, __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11));
    nm_store8(dst + 4 * ldd, __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15));
    nm_store8(dst + 5 * ldd, __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15));
    nm_store8(dst + 6 * ldd, __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15));
    nm_store8(dst + 7 * ldd, __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15));
}

void nm_transpose16x16(const float *src, ptrdiff_t ld, float *dst, ptrdiff_t ldd) {
    nm_transpose8x8(src, ld, dst, ldd);
    nm_transpose8x8(src + 8, ld, dst + 8 * ldd, ldd);
    nm_transpose8x8(src + 8 * ld, ld, dst + 8, ldd);
    nm_transpose8x8(src + 8 * ld + 8, ld, dst + 8 * ldd + 8, ldd);
}
