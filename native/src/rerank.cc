// Candidate re-ranking (rerank.h). The work per candidate is one d-long distance between
// the query and a row that is usually not in cache (LSH candidates are scattered over the
// store), so the loop prefetches the rows a few candidates ahead and scores each with the
// widest vector unit available: AVX-512, AVX2 or SSE, chosen once at run time like the k-NN
// scan (scan.cc), so the binary stays portable. float64 uses a plain loop.
#include "rerank.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "scan.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SIMLEARN_X86 1
#endif

namespace simlearn {

namespace {

using ScoreF = float (*)(const float*, const float*, int64_t);

template <typename T>
T SqL2Scalar(const T* a, const T* b, int64_t d) {
  T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t j = 0;
  for (; j + 4 <= d; j += 4) {
    T e0 = a[j] - b[j], e1 = a[j + 1] - b[j + 1], e2 = a[j + 2] - b[j + 2], e3 = a[j + 3] - b[j + 3];
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
  }
  for (; j < d; j++) {
    T e = a[j] - b[j];
    s0 += e * e;
  }
  return (s0 + s1) + (s2 + s3);
}

template <typename T>
T NegDotScalar(const T* a, const T* b, int64_t d) {
  T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t j = 0;
  for (; j + 4 <= d; j += 4) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
    s2 += a[j + 2] * b[j + 2];
    s3 += a[j + 3] * b[j + 3];
  }
  for (; j < d; j++) s0 += a[j] * b[j];
  return -((s0 + s1) + (s2 + s3));
}

#ifdef SIMLEARN_X86

// Sum of the 16 lanes. GCC 12's own intrinsic headers leave a dummy operand of the lane
// extracts uninitialised by design (the value is never used), which -Wuninitialized reports.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
__attribute__((target("avx512f"))) float HorizontalSum512(__m512 v) { return _mm512_reduce_add_ps(v); }
#pragma GCC diagnostic pop

__attribute__((target("avx512f"))) float SqL2Avx512(const float* a, const float* b, int64_t d) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  int64_t j = 0;
  for (; j + 32 <= d; j += 32) {
    __m512 e0 = _mm512_sub_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j));
    __m512 e1 = _mm512_sub_ps(_mm512_loadu_ps(a + j + 16), _mm512_loadu_ps(b + j + 16));
    s0 = _mm512_fmadd_ps(e0, e0, s0);
    s1 = _mm512_fmadd_ps(e1, e1, s1);
  }
  for (; j + 16 <= d; j += 16) {
    __m512 e = _mm512_sub_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j));
    s0 = _mm512_fmadd_ps(e, e, s0);
  }
  if (j < d) {
    const __mmask16 m = static_cast<__mmask16>((1u << (d - j)) - 1);
    __m512 e = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + j), _mm512_maskz_loadu_ps(m, b + j));
    s1 = _mm512_fmadd_ps(e, e, s1);
  }
  return HorizontalSum512(_mm512_add_ps(s0, s1));
}

__attribute__((target("avx512f"))) float NegDotAvx512(const float* a, const float* b, int64_t d) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  int64_t j = 0;
  for (; j + 32 <= d; j += 32) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j + 16), _mm512_loadu_ps(b + j + 16), s1);
  }
  for (; j + 16 <= d; j += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j), s0);
  if (j < d) {
    const __mmask16 m = static_cast<__mmask16>((1u << (d - j)) - 1);
    s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + j), _mm512_maskz_loadu_ps(m, b + j), s1);
  }
  return -HorizontalSum512(_mm512_add_ps(s0, s1));
}

// AVX2 without FMA (separate multiply and add): a CPU may have one without the other.
__attribute__((target("avx2"))) float HorizontalSum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 0x55));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2"))) float SqL2Avx2(const float* a, const float* b, int64_t d) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 16 <= d; j += 16) {
    __m256 e0 = _mm256_sub_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j));
    __m256 e1 = _mm256_sub_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(b + j + 8));
    s0 = _mm256_add_ps(s0, _mm256_mul_ps(e0, e0));
    s1 = _mm256_add_ps(s1, _mm256_mul_ps(e1, e1));
  }
  for (; j + 8 <= d; j += 8) {
    __m256 e = _mm256_sub_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j));
    s0 = _mm256_add_ps(s0, _mm256_mul_ps(e, e));
  }
  float s = HorizontalSum256(_mm256_add_ps(s0, s1));
  for (; j < d; j++) {
    float e = a[j] - b[j];
    s += e * e;
  }
  return s;
}

__attribute__((target("avx2"))) float NegDotAvx2(const float* a, const float* b, int64_t d) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 16 <= d; j += 16) {
    s0 = _mm256_add_ps(s0, _mm256_mul_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j)));
    s1 = _mm256_add_ps(s1, _mm256_mul_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(b + j + 8)));
  }
  for (; j + 8 <= d; j += 8) s0 = _mm256_add_ps(s0, _mm256_mul_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j)));
  float s = HorizontalSum256(_mm256_add_ps(s0, s1));
  for (; j < d; j++) s += a[j] * b[j];
  return -s;
}

float HorizontalSum128(__m128 s) {
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 0x55));
  return _mm_cvtss_f32(s);
}

float SqL2Sse(const float* a, const float* b, int64_t d) {
  __m128 s0 = _mm_setzero_ps(), s1 = _mm_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= d; j += 8) {
    __m128 e0 = _mm_sub_ps(_mm_loadu_ps(a + j), _mm_loadu_ps(b + j));
    __m128 e1 = _mm_sub_ps(_mm_loadu_ps(a + j + 4), _mm_loadu_ps(b + j + 4));
    s0 = _mm_add_ps(s0, _mm_mul_ps(e0, e0));
    s1 = _mm_add_ps(s1, _mm_mul_ps(e1, e1));
  }
  float s = HorizontalSum128(_mm_add_ps(s0, s1));
  for (; j < d; j++) {
    float e = a[j] - b[j];
    s += e * e;
  }
  return s;
}

float NegDotSse(const float* a, const float* b, int64_t d) {
  __m128 s0 = _mm_setzero_ps(), s1 = _mm_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= d; j += 8) {
    s0 = _mm_add_ps(s0, _mm_mul_ps(_mm_loadu_ps(a + j), _mm_loadu_ps(b + j)));
    s1 = _mm_add_ps(s1, _mm_mul_ps(_mm_loadu_ps(a + j + 4), _mm_loadu_ps(b + j + 4)));
  }
  float s = HorizontalSum128(_mm_add_ps(s0, s1));
  for (; j < d; j++) s += a[j] * b[j];
  return -s;
}

#endif

struct Scorers {
  ScoreF sqL2, negDot;
  const char* isa;
};

Scorers ChooseScorers() {
#ifdef SIMLEARN_X86
  const std::string isa = ScanIsa();
  if (isa == "avx512") return {SqL2Avx512, NegDotAvx512, "avx512"};
  if (isa == "avx2") return {SqL2Avx2, NegDotAvx2, "avx2"};
  if (isa == "sse") return {SqL2Sse, NegDotSse, "sse"};
#endif
  return {SqL2Scalar<float>, NegDotScalar<float>, "scalar"};
}

const Scorers& FloatScorers() {
  static const Scorers s = ChooseScorers();
  return s;
}

// (score, row) order of the output: ascending score, NaN after every number, ties to the lower row.
template <typename T>
inline bool Before(T a, int32_t ia, T b, int32_t ib) {
  if (a != a) return b != b && ia < ib;
  if (b != b) return true;
  return a < b || (a == b && ia < ib);
}

// Rows ahead whose cache lines are requested before they are scored: far enough for a DRAM
// round trip to overlap the scoring of the rows in between.
constexpr int64_t kPrefetchAhead = 10;

// Remembers the rows already scored for one query: open addressing over a power-of-two table
// sized to twice the query's candidate count, so a repeat costs a probe instead of a distance.
class SeenRows {
 public:
  void Reset(int64_t count) {
    size_t cap = 16;
    while (cap < static_cast<size_t>(2 * count)) cap *= 2;
    if (slots_.size() < cap) slots_.resize(cap);
    std::fill(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(cap), -1);
    mask_ = cap - 1;
  }
  // True the first time `row` is offered since Reset.
  bool Insert(int32_t row) {
    size_t s = (static_cast<uint32_t>(row) * 2654435761u) & mask_;
    for (;;) {
      if (slots_[s] == row) return false;
      if (slots_[s] < 0) {
        slots_[s] = row;
        return true;
      }
      s = (s + 1) & mask_;
    }
  }

 private:
  std::vector<int32_t> slots_;
  size_t mask_ = 0;
};

// One query's sorted top-k list (ascending (score, row), −1 / +Infinity padding).
template <typename T>
class TopK {
 public:
  TopK(int32_t* idx, T* sc, int64_t k) : idx_(idx), sc_(sc), k_(k) {
    for (int64_t t = 0; t < k; t++) {
      idx_[t] = -1;
      sc_[t] = static_cast<T>(INFINITY);
    }
  }
  void Offer(T v, int32_t r) {
    if (filled_ == k_ && !Before(v, r, sc_[k_ - 1], idx_[k_ - 1])) return;
    int64_t pos = filled_ < k_ ? filled_ : k_ - 1;
    while (pos > 0 && Before(v, r, sc_[pos - 1], idx_[pos - 1])) pos--;
    const int64_t last = filled_ < k_ ? filled_ : k_ - 1;
    std::memmove(idx_ + pos + 1, idx_ + pos, static_cast<size_t>(last - pos) * sizeof(int32_t));
    std::memmove(sc_ + pos + 1, sc_ + pos, static_cast<size_t>(last - pos) * sizeof(T));
    idx_[pos] = r;
    sc_[pos] = v;
    if (filled_ < k_) filled_++;
  }

 private:
  int32_t* idx_;
  T* sc_;
  int64_t k_;
  int64_t filled_ = 0;
};

inline void Prefetch(const void* p, int64_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (int64_t o = 0; o < bytes; o += 64) __builtin_prefetch(c + o, 0, 3);
}

// Scores each distinct candidate of each query and keeps the k best (rerank.h).
template <typename T, typename Score>
int64_t RerankWith(const T* queries, int64_t nq, const T* refs, int64_t d, const int32_t* cand, const int32_t* start, int64_t k, Score score, int32_t* outIdx, T* outScore) {
  const int64_t rowBytes = d * static_cast<int64_t>(sizeof(T));
  const int64_t prefetchBytes = rowBytes < 1024 ? rowBytes : 1024;
  const int64_t allEnd = start[nq];
  SeenRows seen;
  int64_t scored = 0;
  for (int64_t q = 0; q < nq; q++) {
    TopK<T> top(outIdx + q * k, outScore + q * k, k);
    if (k == 0) continue;
    const T* qv = queries + q * d;
    const int64_t b = start[q], e = start[q + 1];
    seen.Reset(e - b);
    for (int64_t c = b; c < e; c++) {
      // ranges of consecutive queries are adjacent, so look ahead across query boundaries too
      if (c + kPrefetchAhead < allEnd) Prefetch(refs + static_cast<int64_t>(cand[c + kPrefetchAhead]) * d, prefetchBytes);
      const int32_t r = cand[c];
      if (!seen.Insert(r)) continue;
      scored++;
      top.Offer(score(qv, refs + static_cast<int64_t>(r) * d, d), r);
    }
  }
  return scored;
}

}  // namespace

template <>
int64_t RerankCandidates<float>(const float* queries, int64_t nq, const float* refs, int64_t d, const int32_t* cand, const int32_t* start, int64_t k, RerankMetric metric, int32_t* outIdx, float* outScore) {
  const Scorers& s = FloatScorers();
  return RerankWith(queries, nq, refs, d, cand, start, k, metric == RerankMetric::SqEuclidean ? s.sqL2 : s.negDot, outIdx, outScore);
}

template <>
int64_t RerankCandidates<double>(const double* queries, int64_t nq, const double* refs, int64_t d, const int32_t* cand, const int32_t* start, int64_t k, RerankMetric metric, int32_t* outIdx, double* outScore) {
  return RerankWith(queries, nq, refs, d, cand, start, k, metric == RerankMetric::SqEuclidean ? SqL2Scalar<double> : NegDotScalar<double>, outIdx, outScore);
}

const char* RerankIsa() { return FloatScorers().isa; }

}  // namespace simlearn
