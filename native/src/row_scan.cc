// Row scans over float32 search distances (see row_scan.h).
#include "row_scan.h"

#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif

#include <cmath>
#include <limits>

namespace simlearn {

AugmentedRows AugmentRows(const double* Z, int64_t n, int64_t k) {
  const int64_t ka = k + 2;
  AugmentedRows r;
  r.A.resize(static_cast<size_t>(n * ka));
  r.B.resize(static_cast<size_t>(n * ka));
  r.nrm.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) {
    double s = 0;
    for (int64_t c = 0; c < k; c++) {
      const double v = Z[i * k + c];
      s += v * v;
      r.A[i * ka + c] = static_cast<float>(v);
      r.B[i * ka + c] = static_cast<float>(-2 * v);
    }
    r.nrm[i] = s;
    if (s > r.maxN) r.maxN = s;
    r.A[i * ka + k] = static_cast<float>(s);
    r.A[i * ka + k + 1] = 1;
    r.B[i * ka + k] = 1;
    r.B[i * ka + k + 1] = static_cast<float>(s);
  }
  return r;
}

double SearchMargin(int64_t k) { return 2.0 * static_cast<double>(k + 6) * 5.960464477539063e-8; }

float RoundUp(double x) {
  if (x > static_cast<double>(std::numeric_limits<float>::max())) return std::numeric_limits<float>::infinity();
  float f = static_cast<float>(x);
  if (static_cast<double>(f) < x) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

float ScanRow(const float* g, const int32_t* y, int64_t n, int32_t yi, float hi, int32_t* out, int64_t* count) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  int64_t cnt = 0;
  int64_t l = 0;
#if defined(__SSE4_1__)
  const __m128 vhi = _mm_set1_ps(hi), vinf = _mm_set1_ps(kInf);
  const __m128i vyi = _mm_set1_epi32(yi);
  __m128 vmo = vinf;
  for (; l + 4 <= n; l += 4) {
    const __m128 v = _mm_loadu_ps(g + l);
    const __m128 same = _mm_castsi128_ps(_mm_cmpeq_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(y + l)), vyi));
    const __m128 below = _mm_cmplt_ps(v, vhi);
    // minps returns its second operand when either is NaN, so a NaN distance is skipped.
    vmo = _mm_min_ps(_mm_blendv_ps(v, vinf, _mm_or_ps(same, below)), vmo);
    int mask = _mm_movemask_ps(_mm_andnot_ps(same, below));
    while (mask) {
      out[cnt++] = static_cast<int32_t>(l + __builtin_ctz(static_cast<unsigned>(mask)));
      mask &= mask - 1;
    }
  }
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, vmo);
  float mo = kInf;
  for (float t : lanes) mo = t < mo ? t : mo;
#else
  float mo = kInf;
#endif
  for (; l < n; l++) {
    if (y[l] == yi) continue;
    const float v = g[l];
    if (v < hi) out[cnt++] = static_cast<int32_t>(l);
    else if (v < mo) mo = v;
  }
  *count = cnt;
  return mo;
}

}  // namespace simlearn
