#include "CVectorMath.h"
#include <math.h>

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
