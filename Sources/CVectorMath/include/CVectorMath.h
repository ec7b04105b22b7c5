// CVectorMath: the few kernels of NoisyCore that Swift does not compile to the instructions they
// need: elementwise vector square roots, and in-register transposes.
//
// Swift's Float.squareRoot() lowers to libm's sqrtf with its errno fallback, which blocks
// vectorisation; compiled here with -fno-math-errno, sqrtf becomes vsqrtps. Compiled with
// -ffp-contract=off so no multiply-add is fused: every operation is rounded as written, and
// the results are bitwise those of the same formula in Swift.
#ifndef NMSWEEP_CVECTORMATH_H
#define NMSWEEP_CVECTORMATH_H

#include <stddef.h>
#include <stdint.h>

/// One AdamW step on `count` parameters (torch semantics; see NoisyCore/Optim/AdamW.swift):
///   m ← m + (1−β₁)(g − m);  v ← β₂·v + (1−β₂)·g²;
///   p ← p·decay − stepSize · m / (√v · inverseCorrection2Sqrt + ε).
/// The four arrays must not overlap.
void nm_adamw_update(size_t count, float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                     float decay, float oneMinusBeta1, float beta2, float oneMinusBeta2, float stepSize,
                     float inverseCorrection2Sqrt, float epsilon);

/// Transposes the 16×16 block `src[j·ld + p]` (j, p < 16) into `dst[p·ldd + j]`: four 8×8
/// transposes of unpack, shuffle and 128-bit lane permutes (clang's `__builtin_shufflevector`).
/// Swift's `SIMD32.evenHalf` / `.oddHalf`, which did this before, were emitted as out-of-line calls
/// once a function held many of them. Pure data movement: no value changes.
void nm_transpose16x16(const float *src, ptrdiff_t ld, float *dst, ptrdiff_t ldd);

/// Softmax of each of `rows` rows of attention scores in place (the text encoder's attention):
/// row `i` is `scores[i·padded ..< i·padded + padded]`, of which the first `length` are scores
/// and the rest padding; afterwards the first `length` hold the weights (summing to 1 up to
/// rounding) and the padding holds zeros. `padded` is a multiple of 8, ≥ `length` ≥ 1.
/// exp is computed 8 lanes at a time as 2ⁿ·e^r (n = round(x·log₂e), r = x − n·ln2 in two parts,
/// degree-6 Taylor polynomial; relative error ~1e-7; inputs below −86 taken as −86): Swift lowered
/// the vector max and the polynomial lane by lane. Cost O(rows · padded).
void nm_softmax_rows(float *scores, size_t rows, size_t padded, size_t length);

/// The gradient of ReLU + 2×2 max-pooling in one convolution output plane (`height × width`,
/// row-major at `plane`): `0 + gradient[i]` at window i's winner `winners[i]` (an index into the
/// plane, or −1 for none), +0 everywhere else, including an odd last row or column. The pooled
/// plane is `poolHeight × poolWidth` (`2·poolHeight ≤ height`, `2·poolWidth ≤ width`). Eight
/// windows per step, branch-free: the upper and lower rows' 16 floats are interleaved from four
/// masked copies of the gradient. Writes up to 16 floats past the plane's end (garbage: the
/// caller writes them afterwards or does not read them); reads `gradient` and `winners` only
/// below index `readable`. Pure data movement and `0 + g`: the values of a zero fill and a scatter.
void nm_unpool2x2_plane(const float *gradient, const int32_t *winners, ptrdiff_t readable,
                        ptrdiff_t poolHeight, ptrdiff_t poolWidth, ptrdiff_t height, ptrdiff_t width, float *plane);

/// ReLU and 2×2 max-pooling of one image's convolution output held pixel-major
/// (`conv[(y·width + x)·channels + c]`, `channels` a multiple of 8), into pixel-major pooled values
/// and winners (`[(oy·poolWidth + ox)·channels + c]`): ReLU is `v < 0 ? 0 : v` (NaN stays); a
/// window's later candidate (top-right, bottom-left, bottom-right) replaces the current one when
/// greater, or when NaN and the current one is not; the winner is its index `y·width + x` in the
/// channel's plane, or −1 when the pooled value is not > 0. Eight channels per vector: Swift
/// lowered the comparison masks of `SIMD16<Float>` through byte packs and shifts.
void nm_relu_pool2x2_channels(const float *conv, ptrdiff_t channels, ptrdiff_t width, ptrdiff_t poolHeight,
                              ptrdiff_t poolWidth, float *pooled, int32_t *winners);

#endif
