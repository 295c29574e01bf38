// Tiled brute-force k-NN in the style of FAISS's exact search (Johnson, Douze & Jégou,
// "Billion-scale similarity search with GPUs", 2017, section 4): ‖q − r‖² is expanded as
// ‖q‖² + ‖r‖² − 2 q·r so a block of queries against a block of references is one GEMM, and
// each block is folded into per-query top-k lists while it is still in cache.
//
// The tile product is OpenBLAS GEMM, or for float32 on AVX-512 or AVX2 + FMA CPUs our own
// register-blocked kernel (dot_tile.h). Selection keeps each list sorted (k is small in
// practice) and compares every candidate with the current k-th distance first; almost all
// candidates fail that test, so the scan runs over 16-wide chunks that are rejected with one
// vector comparison (scan.h). Deviation from FAISS: its GPU k-selection (WarpSelect) is
// replaced by this threshold scan, which suits one CPU core.
#include "knn.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <thread>
#include <type_traits>
#include <vector>

#include "blas.h"
#include "dot_tile.h"
#include "scan.h"

namespace simlearn {

namespace {

// Block sizes: a 256 x 512 float tile (512 KiB) stays in L2 between the product that writes
// it and the scan that reads it, next to 512 packed references (256 KiB at d = 128) that
// every query block reuses. Measured on 10k x 10k x 128: 256 x 256 up to 2048 x 128 are
// within a few per cent of each other.
constexpr int64_t kRefBlock = 512;
constexpr int64_t kQueryBlock = 256;

template <typename T>
inline bool RanksBefore(T d, T e) {
  return d < e || (e != e && d == d);
}

// Inserts (index, v) into the sorted list if it belongs there (same rule as insertTopK in
// js-kernels.ts: strict comparison, so an equal distance never displaces a lower index).
template <typename T>
inline void Insert(int32_t* idx, T* dist, int64_t k, int32_t index, T v) {
  int64_t pos = k - 1;
  if (idx[pos] != -1 && !RanksBefore(v, dist[pos])) return;
  while (pos > 0 && (idx[pos - 1] == -1 || RanksBefore(v, dist[pos - 1]))) {
    idx[pos] = idx[pos - 1];
    dist[pos] = dist[pos - 1];
    pos--;
  }
  idx[pos] = index;
  dist[pos] = v;
}

template <typename T>
inline T Distance(T dotTerm, T qn, T rn) {
  T v = (dotTerm + qn) + rn;
  return v < T(0) ? T(0) : v;  // not std::max: a NaN must stay NaN
}

// Folds one row of a distance tile (dotTerm = -2 q.r for references r0 .. r0 + rb - 1) into
// the query's list. selfPos is the tile column to skip, or -1.
template <typename T>
void ScanRow(const T* row, const T* rn, T qn, int64_t rb, int64_t r0, int64_t selfPos, int32_t* idx, T* dist, int64_t k) {
  int64_t j = 0;
  // Until the list is full every candidate goes in, NaN included.
  for (; j < rb && idx[k - 1] == -1; j++) {
    if (j == selfPos) continue;
    Insert(idx, dist, k, static_cast<int32_t>(r0 + j), Distance(row[j], qn, rn[j]));
  }
  while (j < rb) {
    if (j == selfPos) {
      j++;
      continue;
    }
    const T thr = dist[k - 1];
    const int64_t segEnd = selfPos > j ? selfPos : rb;
    if (thr != thr) {
      // A NaN in the last slot: any number beats it, so no pre-filter (rare).
      const int64_t stop = std::min(segEnd, j + kScanChunk);
      for (; j < stop; j++) Insert(idx, dist, k, static_cast<int32_t>(r0 + j), Distance(row[j], qn, rn[j]));
      continue;
    }
    uint32_t mask = 0;
    const int64_t start = NextCandidates(row, rn, qn, thr, j, segEnd, &mask);
    if (mask == 0) {
      // The tail after the last full chunk.
      for (j = start; j < segEnd; j++) Insert(idx, dist, k, static_cast<int32_t>(r0 + j), Distance(row[j], qn, rn[j]));
      continue;
    }
    // Insert re-checks each against the k-th distance, which may have dropped meanwhile.
    for (; mask; mask &= mask - 1) {
      const int64_t t = start + __builtin_ctz(mask);
      Insert(idx, dist, k, static_cast<int32_t>(r0 + t), Distance(row[t], qn, rn[t]));
    }
    j = start + kScanChunk;
  }
}

}  // namespace

template <typename T>
void RowSqNorms(const T* x, int64_t n, int64_t d, T* out) {
  for (int64_t i = 0; i < n; i++) {
    const T* row = x + i * d;
    double s = 0;
    for (int64_t j = 0; j < d; j++) s += static_cast<double>(row[j]) * static_cast<double>(row[j]);
    out[i] = static_cast<T>(s);
  }
}

namespace {

// Searches queries [qBegin, qEnd) with tiles of at most `budget` bytes.
template <typename T>
void SearchRange(const T* queries, const T* refs, const KnnShape& s, const T* qn, const T* rn, int64_t qBegin, int64_t qEnd, double budget, bool fastTile, int32_t* indices, T* distances) {
  // The tile never exceeds the budget; below one row of references it shrinks both ways.
  const double budgetElems = std::max(1.0, std::floor(budget / sizeof(T)));
  const int64_t nq = qEnd - qBegin;
  int64_t rb = std::min(s.nr, kRefBlock);
  if (static_cast<double>(rb) > budgetElems) rb = static_cast<int64_t>(budgetElems);
  const int64_t qb = std::min<int64_t>(std::min(nq, kQueryBlock), static_cast<int64_t>(std::max(1.0, std::floor(budgetElems / rb))));
  // 64-byte aligned, so tile rows start on cache lines (rb is a multiple of 16 unless small).
  std::vector<T> tileStore(static_cast<size_t>(qb * rb) + 64 / sizeof(T));
  T* tile = tileStore.data() + ((64 - reinterpret_cast<uintptr_t>(tileStore.data()) % 64) % 64) / sizeof(T);
  std::vector<float> packed;

  // References outer, queries inner: each reference block is packed once. Every query still
  // meets the references in increasing index order, which the tie rule relies on.
  for (int64_t r0 = 0; r0 < s.nr; r0 += rb) {
    const int64_t rcount = std::min(rb, s.nr - r0);
    const float* panels = nullptr;
    if constexpr (std::is_same_v<T, float>) {
      if (fastTile && s.d > 0) panels = PackPanels(refs + r0 * s.d, rcount, s.d, packed);
    }
    for (int64_t q0 = qBegin; q0 < qEnd; q0 += qb) {
      const int64_t qcount = std::min(qb, qEnd - q0);
      if (s.d == 0) {
        std::fill(tile, tile + qb * rb, T(0));
      } else if (fastTile) {
        if constexpr (std::is_same_v<T, float>) DotTile(queries + q0 * s.d, qcount, panels, rcount, s.d, tile, rcount);
      } else {
        Gemm<T>(false, true, qcount, rcount, s.d, T(-2), queries + q0 * s.d, s.d, refs + r0 * s.d, s.d, T(0), tile, rcount);
      }
      for (int64_t qi = 0; qi < qcount; qi++) {
        const int64_t q = q0 + qi;
        const int64_t selfPos = (s.excludeSelf && q >= r0 && q < r0 + rcount) ? q - r0 : -1;
        ScanRow(tile + qi * rcount, rn + r0, qn[q], rcount, r0, selfPos, indices + q * s.k, distances + q * s.k, s.k);
      }
    }
  }
}

}  // namespace

template <typename T>
void KnnSearch(const T* queries, const T* refs, const KnnShape& s, int32_t* indices, T* distances) {
  const int64_t total = s.nq * s.k;
  std::fill(indices, indices + total, -1);
  std::fill(distances, distances + total, std::numeric_limits<T>::infinity());
  if (s.k == 0 || s.nq == 0 || s.nr == 0) return;

  std::vector<T> qn(s.nq), rn(s.nr);
  RowSqNorms(queries, s.nq, s.d, qn.data());
  RowSqNorms(refs, s.nr, s.d, rn.data());

  // float32 tiles use our AVX-512 or AVX2 kernel where the CPU has one (see dot_tile.h).
  bool fastTile = false;
  if constexpr (std::is_same_v<T, float>) fastTile = DotTileAvailable();

  // With the BLAS tile, extra threads go to OpenBLAS inside each GEMM. Our kernels are
  // single-threaded, so there the queries are split across the configured number of threads
  // instead (each with its own tile, the budget shared between them; outputs are disjoint).
  const int64_t threads = fastTile ? std::min<int64_t>(openblas_get_num_threads(), s.nq / kQueryBlock) : 1;
  if (threads <= 1) {
    SearchRange(queries, refs, s, qn.data(), rn.data(), 0, s.nq, s.memoryBudget, fastTile, indices, distances);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  const int64_t per = (s.nq + threads - 1) / threads;
  for (int64_t t = 0; t < threads; t++) {
    const int64_t b = t * per, e = std::min(s.nq, b + per);
    if (b >= e) break;
    pool.emplace_back([&, t, b, e] {
      try {
        SearchRange(queries, refs, s, qn.data(), rn.data(), b, e, s.memoryBudget / threads, fastTile, indices, distances);
      } catch (...) {
        errors[static_cast<size_t>(t)] = std::current_exception();
      }
    });
  }
  for (auto& th : pool) th.join();
  for (auto& err : errors)
    if (err) std::rethrow_exception(err);
}

template void RowSqNorms<float>(const float*, int64_t, int64_t, float*);
template void RowSqNorms<double>(const double*, int64_t, int64_t, double*);
template void KnnSearch<float>(const float*, const float*, const KnnShape&, int32_t*, float*);
template void KnnSearch<double>(const double*, const double*, const KnnShape&, int32_t*, double*);

}  // namespace simlearn
