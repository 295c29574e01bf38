#include "scan.h"

#include <cstdlib>
#include <string>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SIMLEARN_X86 1
#endif

namespace simlearn {

namespace {

// Same arithmetic in every version: (c + qn) + rn in the element type, ordered compare
// (false for NaN), so all versions give identical masks.
template <typename T>
uint32_t MaskScalar(const T* c, const T* rn, T qn, T thr) {
  uint32_t m = 0;
  for (int t = 0; t < kScanChunk; t++) m |= static_cast<uint32_t>(((c[t] + qn) + rn[t]) < thr) << t;
  return m;
}

template <typename T>
int64_t NextScalar(const T* c, const T* rn, T qn, T thr, int64_t j, int64_t end, uint32_t* mask) {
  for (; j + kScanChunk <= end; j += kScanChunk) {
    uint32_t m = MaskScalar(c + j, rn + j, qn, thr);
    if (m) {
      *mask = m;
      return j;
    }
  }
  *mask = 0;
  return j;
}

#ifdef SIMLEARN_X86

__attribute__((target("avx512f"))) int64_t NextAvx512F(const float* c, const float* rn, float qn, float thr, int64_t j, int64_t end, uint32_t* mask) {
  const __m512 q = _mm512_set1_ps(qn), th = _mm512_set1_ps(thr);
  for (; j + 16 <= end; j += 16) {
    __m512 v = _mm512_add_ps(_mm512_add_ps(_mm512_loadu_ps(c + j), q), _mm512_loadu_ps(rn + j));
    __mmask16 m = _mm512_cmp_ps_mask(v, th, _CMP_LT_OQ);
    if (m) {
      *mask = m;
      return j;
    }
  }
  *mask = 0;
  return j;
}

__attribute__((target("avx512f"))) int64_t NextAvx512D(const double* c, const double* rn, double qn, double thr, int64_t j, int64_t end, uint32_t* mask) {
  const __m512d q = _mm512_set1_pd(qn), th = _mm512_set1_pd(thr);
  for (; j + 16 <= end; j += 16) {
    __m512d lo = _mm512_add_pd(_mm512_add_pd(_mm512_loadu_pd(c + j), q), _mm512_loadu_pd(rn + j));
    __m512d hi = _mm512_add_pd(_mm512_add_pd(_mm512_loadu_pd(c + j + 8), q), _mm512_loadu_pd(rn + j + 8));
    uint32_t m = static_cast<uint32_t>(_mm512_cmp_pd_mask(lo, th, _CMP_LT_OQ)) | (static_cast<uint32_t>(_mm512_cmp_pd_mask(hi, th, _CMP_LT_OQ)) << 8);
    if (m) {
      *mask = m;
      return j;
    }
  }
  *mask = 0;
  return j;
}

__attribute__((target("avx2"))) int64_t NextAvx2F(const float* c, const float* rn, float qn, float thr, int64_t j, int64_t end, uint32_t* mask) {
  const __m256 q = _mm256_set1_ps(qn), th = _mm256_set1_ps(thr);
  for (; j + 16 <= end; j += 16) {
    __m256 lo = _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(c + j), q), _mm256_loadu_ps(rn + j));
    __m256 hi = _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(c + j + 8), q), _mm256_loadu_ps(rn + j + 8));
    uint32_t m = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(lo, th, _CMP_LT_OQ))) | (static_cast<uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(hi, th, _CMP_LT_OQ))) << 8);
    if (m) {
      *mask = m;
      return j;
    }
  }
  *mask = 0;
  return j;
}

__attribute__((target("avx2"))) int64_t NextAvx2D(const double* c, const double* rn, double qn, double thr, int64_t j, int64_t end, uint32_t* mask) {
  const __m256d q = _mm256_set1_pd(qn), th = _mm256_set1_pd(thr);
  for (; j + 16 <= end; j += 16) {
    uint32_t m = 0;
    for (int p = 0; p < 4; p++) {
      __m256d v = _mm256_add_pd(_mm256_add_pd(_mm256_loadu_pd(c + j + 4 * p), q), _mm256_loadu_pd(rn + j + 4 * p));
      m |= static_cast<uint32_t>(_mm256_movemask_pd(_mm256_cmp_pd(v, th, _CMP_LT_OQ))) << (4 * p);
    }
    if (m) {
      *mask = m;
      return j;
    }
  }
  *mask = 0;
  return j;
}

// SSE2 is part of every x86-64, so this is the baseline vector version.
int64_t NextSseF(const float* c, const float* rn, float qn, float thr, int64_t j, int64_t end, uint32_t* mask) {
  const __m128 q = _mm_set1_ps(qn), th = _mm_set1_ps(thr);
  for (; j + 16 <= end; j += 16) {
    uint32_t m = 0;
    for (int p = 0; p < 4; p++) {
      __m128 v = _mm_add_ps(_mm_add_ps(_mm_loadu_ps(c + j + 4 * p), q), _mm_loadu_ps(rn + j + 4 * p));
      m |= static_cast<uint32_t>(_mm_movemask_ps(_mm_cmplt_ps(v, th))) << (4 * p);
    }
    if (m) {
      *mask = m;
      return j;
    }
  }
  *mask = 0;
  return j;
}

using NextF = int64_t (*)(const float*, const float*, float, float, int64_t, int64_t, uint32_t*);
using NextD = int64_t (*)(const double*, const double*, double, double, int64_t, int64_t, uint32_t*);

struct Dispatch {
  NextF f;
  NextD d;
  const char* isa;
};

// SIMLEARN_KNN_ISA=avx2|sse|scalar forces a lower level (tests use it to cover every
// version on one machine); a level the CPU lacks is ignored.
Dispatch Choose() {
  __builtin_cpu_init();
  const char* env = std::getenv("SIMLEARN_KNN_ISA");
  const std::string want = env ? env : "";
  if (want == "scalar") return {NextScalar<float>, NextScalar<double>, "scalar"};
  if (want == "sse") return {NextSseF, NextScalar<double>, "sse"};
  if (want != "avx2" && __builtin_cpu_supports("avx512f")) return {NextAvx512F, NextAvx512D, "avx512"};
  if (__builtin_cpu_supports("avx2")) return {NextAvx2F, NextAvx2D, "avx2"};
  return {NextSseF, NextScalar<double>, "sse"};
}

const Dispatch& Impl() {
  static const Dispatch d = Choose();
  return d;
}

#endif

}  // namespace

#ifdef SIMLEARN_X86
int64_t NextCandidates(const float* c, const float* rn, float qn, float thr, int64_t j, int64_t end, uint32_t* mask) {
  return Impl().f(c, rn, qn, thr, j, end, mask);
}
int64_t NextCandidates(const double* c, const double* rn, double qn, double thr, int64_t j, int64_t end, uint32_t* mask) {
  return Impl().d(c, rn, qn, thr, j, end, mask);
}
const char* ScanIsa() { return Impl().isa; }
#else
int64_t NextCandidates(const float* c, const float* rn, float qn, float thr, int64_t j, int64_t end, uint32_t* mask) {
  return NextScalar(c, rn, qn, thr, j, end, mask);
}
int64_t NextCandidates(const double* c, const double* rn, double qn, double thr, int64_t j, int64_t end, uint32_t* mask) {
  return NextScalar(c, rn, qn, thr, j, end, mask);
}
const char* ScanIsa() { return "scalar"; }
#endif

}  // namespace simlearn
