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

typedef int nm_i8 __attribute__((vector_size(32)));

static inline nm_v8 nm_splat8(float x) { return (nm_v8){x, x, x, x, x, x, x, x}; }

/// Lanes of `a` where `mask` is all ones, of `b` where it is zero (vblendvps / and-or).
static inline nm_v8 nm_select8(nm_i8 mask, nm_v8 a, nm_v8 b) {
    nm_i8 ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    nm_i8 r = (ia & mask) | (ib & ~mask);
    nm_v8 out;
    memcpy(&out, &r, sizeof out);
    return out;
}

static inline nm_v8 nm_max8(nm_v8 a, nm_v8 b) { return nm_select8(a > b, a, b); }

/// eˣ for 8 lanes of x ≤ 0 (see nm_softmax_rows).
static inline nm_v8 nm_exp_nonpositive8(nm_v8 x) {
    x = nm_max8(x, nm_splat8(-86.0f));
    const nm_v8 magic = nm_splat8(12582912.0f);  // 1.5·2²³: adding it rounds to an integer
    nm_v8 shifted = x * nm_splat8(1.44269504088896341f) + magic;
    nm_v8 n = shifted - magic;
    // n·ln2hi is exact (ln2hi has 16 significant bits, |n| ≤ 124).
    nm_v8 r = (x - n * nm_splat8(0.693145751953125f)) - n * nm_splat8(1.42860682030941723e-06f);
    nm_v8 p = nm_splat8(1.0f / 720);
    p = p * r + nm_splat8(1.0f / 120);
    p = p * r + nm_splat8(1.0f / 24);
    p = p * r + nm_splat8(1.0f / 6);
    p = p * r + nm_splat8(0.5f);
    p = p * r + nm_splat8(1.0f);
    p = p * r + nm_splat8(1.0f);
    // The low bits of `shifted` hold n; shifted into the exponent they multiply p by 2ⁿ.
    nm_i8 bits, scale;
    memcpy(&scale, &shifted, sizeof scale);
    memcpy(&bits, &p, sizeof bits);
    bits += scale << 23;
    memcpy(&p, &bits, sizeof p);
    return p;
}

void nm_softmax_rows(float *scores, size_t rows, size_t padded, size_t length) {
    nm_v8 lane = {0, 1, 2, 3, 4, 5, 6, 7};
    for (size_t i = 0; i < rows; i++) {
        float *row = scores + i * padded;
        nm_v8 largest = nm_splat8(-__builtin_inff());
        for (size_t j = 0; j < padded; j += 8) {
            nm_i8 valid = (lane + nm_splat8((float)j)) < nm_splat8((float)length);
            largest = nm_max8(largest, nm_select8(valid, nm_load8(row + j), nm_splat8(-__builtin_inff())));
        }
        float top = largest[0];
        for (int t = 1; t < 8; t++) top = largest[t] > top ? largest[t] : top;
        nm_v8 shift = nm_splat8(top), total = nm_splat8(0);
        for (size_t j = 0; j < padded; j += 8) {
            nm_i8 valid = (lane + nm_splat8((float)j)) < nm_splat8((float)length);
            nm_v8 e = nm_select8(valid, nm_exp_nonpositive8(nm_load8(row + j) - shift), nm_splat8(0));
            total += e;
            nm_store8(row + j, e);
        }
        float sum = ((total[0] + total[4]) + (total[2] + total[6])) + ((total[1] + total[5]) + (total[3] + total[7]));
        nm_v8 inverse = nm_splat8(1 / sum);
        for (size_t j = 0; j < padded; j += 8) nm_store8(row + j, nm_load8(row + j) * inverse);
    }
}
