// The two loops over index pairs (a, b) = (first[t], second[t]) of rows of a point set that
// the pair kernels (pairs.cc) and LSML's descent (lsml.cc) share. src/backend/js-pairs.ts is
// the reference: the same statements, so the same bits.
#pragma once

#include <cstdint>

namespace simlearn {

// out[t] = (Y[a] − Y[b]) · (X[a] − X[b]) for t < n (rows of d values). Four partial sums (by
// column mod 4, then (s0 + s1) + (s2 + s3), then the tail) break the chain of dependent adds
// that one running sum makes; js-pairs.ts adds in the same order.
inline void PairQuadForms(const double* X, const double* Y, int64_t d, const int32_t* first, const int32_t* second, int64_t n, double* out) {
  const int64_t d4 = d & ~int64_t{3};
  for (int64_t t = 0; t < n; t++) {
    const double* xa = X + first[t] * d;
    const double* xb = X + second[t] * d;
    const double* ya = Y + first[t] * d;
    const double* yb = Y + second[t] * d;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int64_t c = 0; c < d4; c += 4) {
      s0 += (ya[c] - yb[c]) * (xa[c] - xb[c]);
      s1 += (ya[c + 1] - yb[c + 1]) * (xa[c + 1] - xb[c + 1]);
      s2 += (ya[c + 2] - yb[c + 2]) * (xa[c + 2] - xb[c + 2]);
      s3 += (ya[c + 3] - yb[c + 3]) * (xa[c + 3] - xb[c + 3]);
    }
    double s = (s0 + s1) + (s2 + s3);
    for (int64_t c = d4; c < d; c++) s += (ya[c] - yb[c]) * (xa[c] - xb[c]);
    out[t] = s;
  }
}

// Z += L_w X: row a gains w[t] (X[a] − X[b]), row b loses it, for t < n with w[t] ≠ 0.
inline void AddPairLaplacian(double* Z, const double* X, int64_t d, const int32_t* first, const int32_t* second, const double* w, int64_t n) {
  for (int64_t t = 0; t < n; t++) {
    const double wt = w[t];
    if (wt == 0) continue;
    const double* xa = X + first[t] * d;
    const double* xb = X + second[t] * d;
    double* za = Z + first[t] * d;
    double* zb = Z + second[t] * d;
    for (int64_t c = 0; c < d; c++) {
      const double v = wt * (xa[c] - xb[c]);
      za[c] += v;
      zb[c] -= v;
    }
  }
}

}  // namespace simlearn
