// Tiled brute-force k-NN in the style of FAISS's exact search (Johnson, Douze & Jégou,
// "Billion-scale similarity search with GPUs", 2017, section 4): ‖q − r‖² is expanded as
// ‖q‖² + ‖r‖² − 2 q·r so a block of queries against a block of references is one GEMM, and
// each block is folded into per-query top-k lists while it is still in cache.
//
// The tile product is OpenBLAS GEMM, or for float32 on AVX-512 or AVX2 + FMA CPUs our own
// register-blocked kernel (dot_tile.h). Selection compares every candidate with the current
// k-th distance first; almost all candidates fail that test, so the scan runs over 16-wide
// chunks that are rejected with one vector comparison (scan.h). Survivors go into a sorted
// list per query for small k, and for large k (retrieval metrics ask for the largest class,
// often 1000+) into a bounded buffer that is cut back to the k best with a selection now
// and then, which sets the threshold (CandidateBuffers). For small k with the AVX2 kernel,
// the test runs in the kernel's epilogue instead and no tile is stored (DotTileFold). Deviation from FAISS: its GPU
// k-selection (WarpSelect) is replaced by this threshold scan, which suits one CPU core.
#include "knn.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
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
// Packed reference block of the folded search (no tile): on 10k x 10k x 128, k = 10, blocks
// of 1 to 4 MiB took about 6-8% less time than 256 KiB; all 10k (5 MiB) no less, and on
// 200 x 200k x 64 the whole set (51 MiB, packed out of cache each call) took 1.5x as long.
constexpr double kFoldPackBytes = 2 << 20;

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
inline T ClampDistance(T v) {
  return v < T(0) ? T(0) : v;  // not std::max: a NaN must stay NaN
}

template <typename T>
inline T Distance(T dotTerm, T qn, T rn) {
  return ClampDistance((dotTerm + qn) + rn);
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

// The small-k search with the folding kernel (DotTileFold): the kernel's threshold test stands
// in for NextCandidates, and this sink does what ScanRow does with the chunks that pass.
struct FoldState {
  int32_t* indices;
  float* distances;
  int64_t k;
  int64_t q0, r0;  // query and reference of block row 0 and column 0
  bool excludeSelf;
  float* thr;  // per block row, TileFold::thr
};

inline float FoldThreshold(const int32_t* idx, const float* dist, int64_t k) {
  // NaN until the list is full, so that every candidate (NaN included) reaches Insert.
  return idx[k - 1] == -1 ? std::numeric_limits<float>::quiet_NaN() : dist[k - 1];
}

void FoldSink(void* ctx, int64_t row, int64_t col, const float* v, uint32_t mask) {
  const FoldState& st = *static_cast<const FoldState*>(ctx);
  const int64_t q = st.q0 + row;
  int32_t* idx = st.indices + q * st.k;
  float* dist = st.distances + q * st.k;
  for (; mask; mask &= mask - 1) {
    const int t = __builtin_ctz(mask);
    const int64_t r = st.r0 + col + t;
    if (st.excludeSelf && r == q) continue;
    Insert(idx, dist, st.k, static_cast<int32_t>(r), ClampDistance(v[t]));
  }
  st.thr[row] = FoldThreshold(idx, dist, st.k);
}

// Above this k, a sorted insertion list costs O(k) per accepted candidate and its shifting
// dominates the search; the candidate buffers below take over. On 2000 x 10k x 64 float32
// queries (AMD EPYC, AVX2) the two were even at k = 32 to 48; at k = 64 the buffers took
// 15% less time, at k = 96 35% less, at k = 256 80% less; at k = 16 the lists 15% less.
constexpr int64_t kLargeK = 48;
// Queries per block with candidate buffers: 128 buffers of 3k entries (3 MiB at k = 1036)
// next to the tile. 64 and 256 measured the same within noise.
constexpr int64_t kLargeQueryBlock = 128;

// A candidate as one integer whose order is (distance, index): distances here are never
// negative (Distance clamps), and the bit pattern of a non-negative IEEE number orders like
// the number, with +Infinity below NaN. NaN gets one canonical pattern, so NaNs tie and the
// index decides, as RanksBefore does. float: 32 + 32 bits; double: 64 + 32 bits in 128.
template <typename T>
using Key = std::conditional_t<std::is_same_v<T, float>, uint64_t, unsigned __int128>;
template <typename T>
using Bits = std::conditional_t<std::is_same_v<T, float>, uint32_t, uint64_t>;

template <typename T>
inline Key<T> MakeKey(T v, int32_t index) {
  Bits<T> b;
  if (v != v) {
    const T nan = std::numeric_limits<T>::quiet_NaN();
    std::memcpy(&b, &nan, sizeof b);
  } else {
    v += T(0);  // -0 becomes +0
    std::memcpy(&b, &v, sizeof b);
  }
  return (static_cast<Key<T>>(b) << 32) | static_cast<uint32_t>(index);
}

template <typename T>
inline T KeyDistance(Key<T> key) {
  const Bits<T> b = static_cast<Bits<T>>(key >> 32);
  T v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// std::nth_element on these keys, with a partition that does not branch on the comparison:
// the buffers hold distances in no useful order, so libstdc++'s Hoare loops mispredict about
// every other element, which made selection the largest cost of a k = 1036 search. Each step
// swaps unconditionally and advances by the comparison (Lomuto, as in Alexandrescu's
// branchless variant); keys are distinct (they contain the index), so no run of equal keys
// can stall it. After 2 log2(n) steps it hands over to std::nth_element, whose introselect
// bounds the worst case.
template <typename K>
void SelectNth(K* first, K* nth, K* last) {
  int budget = 2 * (64 - __builtin_clzll(static_cast<unsigned long long>(last - first) | 1));
  while (last - first > 16) {
    if (budget-- == 0) {
      std::nth_element(first, nth, last);
      return;
    }
    K* mid = first + (last - first) / 2;
    K* back = last - 1;
    // Median of three into *back as the pivot.
    if (*mid < *first) std::swap(*mid, *first);
    if (*back < *mid) std::swap(*back, *mid);
    if (*mid < *first) std::swap(*mid, *first);
    std::swap(*mid, *back);
    const K pivot = *back;
    K* lo = first;
    for (K* p = first; p < back; p++) {
      const K x = *p;
      *p = *lo;
      *lo = x;
      lo += x < pivot;
    }
    std::swap(*lo, *back);
    if (lo == nth) return;
    if (nth < lo) last = lo;
    else first = lo + 1;
  }
  std::sort(first, last);
}

// Sorts a[0, n) ascending with tmp[0, n) as scratch: least-significant-digit radix sort over
// the bytes that differ between keys (typically the two low bytes of the index and three of
// the distance). std::sort of the final k had been about a fifth of a k = 1036 search (perf);
// with this the search took roughly 15-25% less time (shared machine, so roughly).
template <typename K>
void RadixSort(K* a, int64_t n, K* tmp) {
  if (n < 256) {
    std::sort(a, a + n);
    return;
  }
  constexpr int kBytes = sizeof(K) == 8 ? 8 : 12;  // float: 4 + 4 bytes; double: 8 + 4
  K all = ~K(0), any = 0;
  for (int64_t i = 0; i < n; i++) {
    all &= a[i];
    any |= a[i];
  }
  const K varying = all ^ any;
  K* src = a;
  K* dst = tmp;
  uint32_t counts[256];
  for (int b = 0; b < kBytes; b++) {
    const int shift = 8 * b;
    if (((varying >> shift) & 0xff) == 0) continue;
    std::fill(counts, counts + 256, 0u);
    for (int64_t i = 0; i < n; i++) counts[static_cast<uint32_t>(src[i] >> shift) & 0xff]++;
    uint32_t sum = 0;
    for (uint32_t& c : counts) {
      const uint32_t v = c;
      c = sum;
      sum += v;
    }
    for (int64_t i = 0; i < n; i++) dst[counts[static_cast<uint32_t>(src[i] >> shift) & 0xff]++] = src[i];
    std::swap(src, dst);
  }
  if (src != a) std::copy(src, src + n, a);
}

// Per-query candidate buffers for large k. Entries that rank before the current threshold
// key are appended; when a buffer holds `cap` of them, a selection keeps the k best and the
// k-th becomes the new threshold. References reach a query in increasing index order, so a
// later candidate at exactly the threshold distance could only rank after it and is rightly
// dropped (an equal distance never displaces a lower index).
template <typename T>
class CandidateBuffers {
 public:
  CandidateBuffers(int64_t queries, int64_t k, int64_t cap) : k_(k), cap_(cap), stride_(cap + kScanChunk), store_(static_cast<size_t>(queries * stride_)), scratch_(static_cast<size_t>(std::min(k, cap))), n_(queries), thrKey_(queries), thr_(queries) {}

  // Bytes per query, for the memory budget.
  static double BytesPerQuery(int64_t cap) { return static_cast<double>(cap + kScanChunk) * sizeof(Key<T>); }

  void Reset(int64_t count) {
    std::fill(n_.begin(), n_.begin() + count, 0);
    std::fill(thrKey_.begin(), thrKey_.begin() + count, ~Key<T>(0));
    std::fill(thr_.begin(), thr_.begin() + count, std::numeric_limits<T>::quiet_NaN());
  }

  // Folds one tile row into buffer b (same arguments as ScanRow).
  void ScanRow(int64_t b, const T* row, const T* rn, T qn, int64_t rb, int64_t r0, int64_t selfPos) {
    Key<T>* buf = store_.data() + b * stride_;
    int64_t n = n_[b];
    int64_t j = 0;
    while (j < rb) {
      const T thr = thr_[b];
      const Key<T> thrKey = thrKey_[b];
      if (thr != thr) {
        // No threshold yet (or a NaN one, which any number beats): test every candidate, as
        // many as the buffer has room for.
        const int64_t stop = std::min(rb, j + (stride_ - n));
        for (; j < stop; j++) {
          const Key<T> key = MakeKey(Distance(row[j], qn, rn[j]), static_cast<int32_t>(r0 + j));
          buf[n] = key;
          n += (key < thrKey) & (j != selfPos);
        }
      } else if (j == selfPos) {
        j++;
        continue;
      } else {
        const int64_t segEnd = selfPos > j ? selfPos : rb;
        uint32_t mask = 0;
        const int64_t start = NextCandidates(row, rn, qn, thr, j, segEnd, &mask);
        if (mask == 0) {
          // The tail after the last full chunk (fewer than kScanChunk, so it fits the slack).
          for (j = start; j < segEnd; j++) {
            const Key<T> key = MakeKey(Distance(row[j], qn, rn[j]), static_cast<int32_t>(r0 + j));
            buf[n] = key;
            n += key < thrKey;
          }
        } else {
          // The mask compares raw sums; a clamped 0 at a threshold of 0 still has to lose on index.
          for (; mask; mask &= mask - 1) {
            const int64_t t = start + __builtin_ctz(mask);
            const Key<T> key = MakeKey(Distance(row[t], qn, rn[t]), static_cast<int32_t>(r0 + t));
            buf[n] = key;
            n += key < thrKey;
          }
          j = start + kScanChunk;
        }
      }
      if (n >= cap_) n = Shrink(b, buf, n);
    }
    n_[b] = n;
  }

  // Writes buffer b's k best, nearest first, to the output row (padding stays as it is).
  void Finish(int64_t b, int32_t* idx, T* dist) {
    Key<T>* buf = store_.data() + b * stride_;
    int64_t n = n_[b];
    if (n > k_) {
      SelectNth(buf, buf + k_ - 1, buf + n);
      n = k_;
    }
    RadixSort(buf, n, scratch_.data());
    for (int64_t i = 0; i < n; i++) {
      idx[i] = static_cast<int32_t>(static_cast<uint32_t>(buf[i]));
      dist[i] = KeyDistance<T>(buf[i]);
    }
  }

 private:
  int64_t Shrink(int64_t b, Key<T>* buf, int64_t n) {
    SelectNth(buf, buf + k_ - 1, buf + n);
    thrKey_[b] = buf[k_ - 1];
    thr_[b] = KeyDistance<T>(buf[k_ - 1]);
    return k_;
  }

  int64_t k_, cap_, stride_;
  std::vector<Key<T>> store_, scratch_;
  std::vector<int64_t> n_;
  std::vector<Key<T>> thrKey_;
  std::vector<T> thr_;
};

// Buffer size for large k: a larger buffer means fewer nth_element passes over it, each of
// which costs about its length.
// 2k, 3k and 4k measured the same within noise at k = 126 and 1036.
inline int64_t BufferCap(int64_t k) { return 3 * k; }

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
  const bool large = s.k > kLargeK;
  bool fold = false;
  if constexpr (std::is_same_v<T, float>) fold = fastTile && !large && s.d > 0 && DotTileFoldAvailable();
  // Queries whose selection state is live at once: all of them with sorted lists (they sit in
  // the output); with candidate buffers, one query block, whose tile rows and buffers share
  // the budget (one query always runs, whatever the budget).
  int64_t qb, span;
  const int64_t cap = std::min(BufferCap(s.k), s.nr + 1);
  if (fold) {
    // No tile, so the packed references are the block storage and get the budget, up to
    // kFoldPackBytes. A query block then meets more references while its queries and lists
    // sit in L2; with 512 they came back from L3 every 512 references.
    const double bytes = std::min(budget, kFoldPackBytes);
    rb = std::min(s.nr, std::max<int64_t>(16, static_cast<int64_t>(bytes / (4.0 * static_cast<double>(s.d))) / 16 * 16));
    qb = std::min(nq, kQueryBlock);
    span = nq;
  } else if (!large) {
    qb = std::min<int64_t>(std::min(nq, kQueryBlock), static_cast<int64_t>(std::max(1.0, std::floor(budgetElems / rb))));
    span = nq;
  } else {
    const double perQuery = static_cast<double>(rb) * sizeof(T) + CandidateBuffers<T>::BytesPerQuery(cap);
    qb = std::min<int64_t>(std::min(nq, kLargeQueryBlock), static_cast<int64_t>(std::max(1.0, std::floor(budget / perQuery))));
    span = qb;
  }
  // 64-byte aligned, so tile rows start on cache lines (rb is a multiple of 16 unless small).
  // The folding kernel needs no tile, only a threshold per query.
  std::vector<T> tileStore(fold ? 0 : static_cast<size_t>(qb * rb) + 64 / sizeof(T));
  T* tile = tileStore.data() + ((64 - reinterpret_cast<uintptr_t>(tileStore.data()) % 64) % 64) / sizeof(T);
  std::vector<float> packed;
  std::unique_ptr<CandidateBuffers<T>> bufs;
  if (large) bufs = std::make_unique<CandidateBuffers<T>>(span, s.k, cap);
  std::vector<float> thr(fold ? static_cast<size_t>(nq) : 0, std::numeric_limits<float>::quiet_NaN());

  for (int64_t s0 = qBegin; s0 < qEnd; s0 += span) {
    const int64_t s1 = std::min(qEnd, s0 + span);
    if (large) bufs->Reset(s1 - s0);
    // References outer, queries inner: each reference block is packed once per span. Every
    // query still meets the references in increasing index order, which the tie rule relies on.
    for (int64_t r0 = 0; r0 < s.nr; r0 += rb) {
      const int64_t rcount = std::min(rb, s.nr - r0);
      const float* panels = nullptr;
      if constexpr (std::is_same_v<T, float>) {
        if (fastTile && s.d > 0) panels = PackPanels(refs + r0 * s.d, rcount, s.d, packed);
      }
      for (int64_t q0 = s0; q0 < s1; q0 += qb) {
        const int64_t qcount = std::min(qb, s1 - q0);
        if constexpr (std::is_same_v<T, float>) {
          if (fold) {
            FoldState st{indices, distances, s.k, q0, r0, s.excludeSelf, thr.data() + (q0 - qBegin)};
            DotTileFold(queries + q0 * s.d, qcount, panels, rcount, s.d, TileFold{qn + q0, rn + r0, st.thr, FoldSink, &st});
            continue;
          }
        }
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
          if (large) bufs->ScanRow(q - s0, tile + qi * rcount, rn + r0, qn[q], rcount, r0, selfPos);
          else ScanRow(tile + qi * rcount, rn + r0, qn[q], rcount, r0, selfPos, indices + q * s.k, distances + q * s.k, s.k);
        }
      }
    }
    if (large)
      for (int64_t q = s0; q < s1; q++) bufs->Finish(q - s0, indices + q * s.k, distances + q * s.k);
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
