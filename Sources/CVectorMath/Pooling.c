// ReLU + 2×2 max-pooling over channel vectors, and its gradient written back into the
// convolution's output plane (NoisyCore/Layers/Conv2dReLUPool.swift). Their own file: the other
// kernels of this target are shared with the tuning code.
#include "CVectorMath.h"
#include <string.h>

// The 16-float vectors below pass only between static inline helpers of this file, which are
// inlined, so the AVX-512 calling convention clang warns about (-Wpsabi) never applies.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float nm_u8 __attribute__((vector_size(32)));
typedef int nm_u8i __attribute__((vector_size(32)));
typedef float nm_u16 __attribute__((vector_size(64)));

static inline nm_u8 nm_u_load8(const float *p) {
    nm_u8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline nm_u8i nm_u_load8i(const int32_t *p) {
    nm_u8i v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void nm_u_store16(float *p, nm_u16 v) { memcpy(p, &v, sizeof v); }

/// `v` where `mask` is all ones, +0 where it is zero.
static inline nm_u8 nm_u_keep(nm_u8i mask, nm_u8 v) {
    nm_u8i bits;
    memcpy(&bits, &v, sizeof bits);
    bits &= mask;
    nm_u8 out;
    memcpy(&out, &bits, sizeof out);
    return out;
}

/// Window group `ox` of pooled row `oy`: the 16 floats of the upper (`lowerRow` 0) or the lower
/// (`lowerRow` 1) convolution row under its eight windows.
static inline nm_u16 nm_unpool_group(const float *gradient, const int32_t *winners, ptrdiff_t readable,
                                     ptrdiff_t index, int topLeft, int width, int lowerRow) {
    const nm_u8i lanes = {0, 2, 4, 6, 8, 10, 12, 14};
    nm_u8 g;
    nm_u8i w;
    if (index + 8 <= readable) {
        g = nm_u_load8(gradient + index);
        w = nm_u_load8i(winners + index);
    } else {  // the last windows of the last plane: no reads past the caller's arrays
        float gs[8] = {0};
        int32_t ws[8] = {0};
        memcpy(gs, gradient + index, (size_t)(readable - index) * sizeof(float));
        memcpy(ws, winners + index, (size_t)(readable - index) * sizeof(int32_t));
        g = nm_u_load8(gs);
        w = nm_u_load8i(ws);
    }
    // Each window's winner as an offset from its top-left; −1 (no gradient) never matches.
    const nm_u8i offset = w - (topLeft + lanes);
    const nm_u8 v = 0.0f + g;  // as `0 + g` onto the zero-filled plane
    const int left = lowerRow ? width : 0;
    const nm_u8 a = nm_u_keep(offset == left, v), b = nm_u_keep(offset == left + 1, v);
    return __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
}

void nm_unpool2x2_plane(const float *gradient, const int32_t *winners, ptrdiff_t readable,
                        ptrdiff_t poolHeight, ptrdiff_t poolWidth, ptrdiff_t height, ptrdiff_t width, float *plane) {
    for (ptrdiff_t oy = 0; oy < poolHeight; oy++) {
        float *upper = plane + 2 * oy * width, *lower = upper + width;
        const ptrdiff_t first = oy * poolWidth;
        // The upper row first: the spare lanes of its last group run into the lower row, which
        // is written next; those of the lower row's run into the next pair of rows (or past the
        // plane), also written later.
        for (ptrdiff_t ox = 0; ox < poolWidth; ox += 8) {
            const int topLeft = (int)(2 * oy * width + 2 * ox);
            nm_u_store16(upper + 2 * ox, nm_unpool_group(gradient, winners, readable, first + ox, topLeft, (int)width, 0));
        }
        for (ptrdiff_t ox = 0; ox < poolWidth; ox += 8) {
            const int topLeft = (int)(2 * oy * width + 2 * ox);
            nm_u_store16(lower + 2 * ox, nm_unpool_group(gradient, winners, readable, first + ox, topLeft, (int)width, 1));
        }
        if (width > 2 * poolWidth) {  // the odd last column (and the spare lanes written there)
            upper[width - 1] = 0;
            lower[width - 1] = 0;
        }
    }
    if (height > 2 * poolHeight) memset(plane + 2 * poolHeight * width, 0, (size_t)((height - 2 * poolHeight) * width) * sizeof(float));
}

static inline nm_u8 nm_u_relu(const float *p) {
    const nm_u8 v = nm_u_load8(p), zero = {0};
    return nm_u_keep(~(v < zero), v);  // v < 0 ? 0 : v (NaN stays)
}

void nm_relu_pool2x2_channels(const float *conv, ptrdiff_t channels, ptrdiff_t width, ptrdiff_t poolHeight,
                              ptrdiff_t poolWidth, float *pooled, int32_t *winners) {
    const nm_u8 zero = {0};
    for (ptrdiff_t oy = 0; oy < poolHeight; oy++) {
        for (ptrdiff_t ox = 0; ox < poolWidth; ox++) {
            const ptrdiff_t q = 2 * oy * width + 2 * ox, out = (oy * poolWidth + ox) * channels;
            const float *top = conv + q * channels, *bottom = top + width * channels;
            for (ptrdiff_t c = 0; c < channels; c += 8) {
                nm_u8 value = nm_u_relu(top + c);
                nm_u8i offset = {0};
                const nm_u8 candidates[3] = {nm_u_relu(top + channels + c), nm_u_relu(bottom + c), nm_u_relu(bottom + channels + c)};
                const int offsets[3] = {1, (int)width, (int)width + 1};
                for (int k = 0; k < 3; k++) {  // a later candidate wins when greater, or NaN over a number
                    const nm_u8 v = candidates[k];
                    const nm_u8i take = (v > value) | ((v != v) & (value == value));
                    nm_u8i vb, cb;
                    memcpy(&vb, &value, sizeof vb);
                    memcpy(&cb, &v, sizeof cb);
                    vb = (vb & ~take) | (cb & take);
                    memcpy(&value, &vb, sizeof value);
                    offset = (offset & ~take) | (offsets[k] & take);
                }
                const nm_u8i best = ((int)q + offset) | ~(value > zero);
                memcpy(pooled + out + c, &value, sizeof value);
                memcpy(winners + out + c, &best, sizeof best);
            }
        }
    }
}
