// The neighbour softmax of NCA and its Laplacian product. src/backend/js-softmax.ts is the
// reference and the documentation. Two paths:
// - few output dimensions (k <= kExactMaxK): exact float64 distances of a block of rows to all
//   rows by one GEMM (SYRK when one block holds every row); flat blocks then stay dense (two
//   GEMMs for the Laplacian), sharp ones become per-row lists of kept pairs. On 480 x 20 this
//   took an evaluation along a real NCA fit from 3.0 to 1.9 ms.
// - otherwise each row's support is searched in float32 (OpenBLAS sgemm on augmented rows,
//   row_scan.h) with float32's rounding margin, and the distances kept are recomputed in
//   float64: pair by pair on sparse blocks, by one dgemm on dense ones, where the Laplacian
//   product also becomes two dgemms. There the float64 GEMM would cost twice the search's.
// In JavaScript the pass over the n² distances and the Laplacian product cost three times the
// GEMM before them.
#include <cblas.h>
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "args.h"
#include "exports.h"
#include "row_scan.h"
#include "vector_exp.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace simlearn {

namespace {

// ‖a − b‖² with four running sums over c mod 4, added as (s0 + s1) + (s2 + s3): the order the
// reference uses, and independent chains for the CPU.
double SqDist4(const double* a, const double* b, int64_t k) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t c = 0;
  for (; c + 4 <= k; c += 4) {
    const double t0 = a[c] - b[c], t1 = a[c + 1] - b[c + 1], t2 = a[c + 2] - b[c + 2], t3 = a[c + 3] - b[c + 3];
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  for (; c < k; c++) {
    const double t = a[c] - b[c];
    s0 += t * t;
  }
  return (s0 + s1) + (s2 + s3);
}

// The distinct columns of a block's row lists (bj[start[r] .. end[r]) for r < rb), ascending,
// in U; pos[j] becomes j's place in U. pos must be all −1 on entry; ReleaseColumns restores it.
void CollectColumns(const int32_t* bj, const int64_t* start, const int64_t* end, int64_t rb, int64_t n, std::vector<int32_t>& pos, std::vector<int32_t>& U) {
  U.clear();
  for (int64_t r = 0; r < rb; r++)
    for (int64_t q = start[r]; q < end[r]; q++)
      if (pos[bj[q]] < 0) {
        pos[bj[q]] = 0;
        U.push_back(bj[q]);
      }
  // Ascending columns make the gathers below walk memory forward.
  if (static_cast<int64_t>(U.size()) * 8 < n) std::sort(U.begin(), U.end());
  else {
    U.clear();
    for (int64_t j = 0; j < n; j++)
      if (pos[j] == 0) U.push_back(static_cast<int32_t>(j));
  }
  for (size_t t = 0; t < U.size(); t++) pos[U[t]] = static_cast<int32_t>(t);
}

void ReleaseColumns(std::vector<int32_t>& pos, const std::vector<int32_t>& U) {
  for (int32_t j : U) pos[j] = -1;
}

// Rows of M (stride cols) listed in U, packed into out (U.size() x cols).
void GatherRows(const double* M, int64_t cols, const std::vector<int32_t>& U, std::vector<double>& out) {
  out.resize(U.size() * static_cast<size_t>(cols));
  for (size_t t = 0; t < U.size(); t++) std::copy(M + U[t] * cols, M + (U[t] + 1) * cols, out.data() + t * cols);
}

// ---- The exact path, for few output dimensions (k <= kExactMaxK) ----
// With small k a float64 GEMM over a whole block of rows costs about what the float32 search,
// its two scans, the gathers of the kept columns and the recomputation of the kept distances
// cost, and needs no rounding margin; and each row can then be handled on its own in L1:
// flat softmaxes (early in a fit) densely, sharp ones as a short list of kept pairs whose
// Laplacian is a few AXPYs a pair, never a GEMM over mostly zero weights.
constexpr int64_t kExactMaxK = 32;

// Row i of a block of inner products Z_b Zᵀ (n doubles) becomes the squared distances
// ‖z_i‖² + ‖z_j‖² − 2 z_i·z_j (clamped at 0; +∞ for j = i) in place; returns their minimum.
// Four running minima, so that the loop vectorises without reassociation flags.
__attribute__((target_clones("avx2", "default"))) double DistanceRow(double* row, const double* nrm, int64_t n, int64_t i) {
  const double ni = nrm[i];
  for (int64_t j = 0; j < n; j++) {
    const double v = ni + nrm[j] - 2 * row[j];
    row[j] = v < 0 ? 0 : v;
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  row[i] = kInf;
  double m[4] = {kInf, kInf, kInf, kInf};
  int64_t j = 0;
  for (; j + 4 <= n; j += 4)
    for (int t = 0; t < 4; t++) m[t] = row[j + t] < m[t] ? row[j + t] : m[t];
  for (; j < n; j++) m[0] = row[j] < m[0] ? row[j] : m[0];
  return std::min(std::min(m[0], m[1]), std::min(m[2], m[3]));
}

__attribute__((target_clones("avx2", "default"))) int64_t CountAtMost(const double* row, int64_t n, double lim) {
  int64_t c = 0;
  for (int64_t j = 0; j < n; j++) c += row[j] <= lim ? 1 : 0;
  return c;
}

// A dense row of distances (minimum dmin) becomes the row's Laplacian weights
// w_ij = (e_ij / Σ e)([y_j = y_i] − p_i), e_ij = exp(dmin − d_ij) for d_ij ≤ dmin + cutoff and
// 0 otherwise (the self pair included). Sums in four lanes (j mod 4, added as
// (s0 + s1) + (s2 + s3)) so that every pass vectorises. Returns p_i; *rowSum = Σ_j w_ij.
__attribute__((target_clones("avx2", "default"), optimize("no-trapping-math"))) double DenseWeightsRow(double* row, const int32_t* y, int64_t n, int64_t i, double dmin, double cutoff, double* rowSum) {
  const double lim = dmin + cutoff;
  // −1000 is below ExpInPlace's −708, where it returns exactly 0.
  for (int64_t j = 0; j < n; j++) row[j] = row[j] <= lim ? dmin - row[j] : -1000.0;
  ExpInPlace(row, n);
  const int32_t yi = y[i];
  double sum4[4] = {0, 0, 0, 0}, same4[4] = {0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 4 <= n; j += 4)
    for (int t = 0; t < 4; t++) {
      sum4[t] += row[j + t];
      same4[t] += y[j + t] == yi ? row[j + t] : 0.0;
    }
  for (; j < n; j++) {
    sum4[0] += row[j];
    same4[0] += y[j] == yi ? row[j] : 0.0;
  }
  const double sum = (sum4[0] + sum4[1]) + (sum4[2] + sum4[3]), same = (same4[0] + same4[1]) + (same4[2] + same4[3]);
  const double pi = same / sum, inv = 1 / sum;
  double rs4[4] = {0, 0, 0, 0};
  for (j = 0; j + 4 <= n; j += 4)
    for (int t = 0; t < 4; t++) {
      const double w = row[j + t] * inv * ((y[j + t] == yi ? 1.0 : 0.0) - pi);
      row[j + t] = w;
      rs4[t] += w;
    }
  for (; j < n; j++) {
    const double w = row[j] * inv * ((y[j] == yi ? 1.0 : 0.0) - pi);
    row[j] = w;
    rs4[0] += w;
  }
  *rowSum = (rs4[0] + rs4[1]) + (rs4[2] + rs4[3]);
  return pi;
}

// The kept pairs of a sharp row, d_ij ≤ lim, as (j, dmin − d_ij) ascending in j; returns how
// many. Branch-free (a branch per entry mispredicts at the densities where this runs, a few
// to a third of a row): every candidate is written and the count advances only for kept ones.
int64_t KeptPairsScalar(const double* row, int64_t from, int64_t n, double dmin, double lim, int32_t* outJ, double* outV, int64_t c) {
  for (int64_t j = from; j < n; j++) {
    outJ[c] = static_cast<int32_t>(j);
    outV[c] = dmin - row[j];
    c += row[j] <= lim ? 1 : 0;
  }
  return c;
}

#if defined(__x86_64__)
// Four at a time: the kept lanes of a compare mask are moved to the front by a permutation
// from a 16-entry table and stored whole; the next store starts after the kept ones. About a
// tenth of the scalar loop's cost, which was most of a sharp evaluation's bookkeeping.
struct CompressTable {
  alignas(32) int32_t values[16][8];   // float lanes of the kept doubles, in order
  alignas(32) int32_t indices[16][8];  // int32 lanes of the kept indices, in order
  CompressTable() {
    for (int m = 0; m < 16; m++) {
      int o = 0;
      for (int l = 0; l < 4; l++)
        if (m & (1 << l)) {
          values[m][2 * o] = 2 * l;
          values[m][2 * o + 1] = 2 * l + 1;
          indices[m][o] = l;
          o++;
        }
      for (int t = 2 * o; t < 8; t++) values[m][t] = 0;
      for (int t = o; t < 8; t++) indices[m][t] = 0;
    }
  }
};
const CompressTable kCompress;

__attribute__((target("avx2,popcnt"))) int64_t KeptPairsAvx2(const double* row, int64_t n, double dmin, double lim, int32_t* outJ, double* outV) {
  const __m256d vlim = _mm256_set1_pd(lim), vdmin = _mm256_set1_pd(dmin);
  __m256i vj = _mm256_setr_epi32(0, 1, 2, 3, 0, 0, 0, 0);
  const __m256i four = _mm256_setr_epi32(4, 4, 4, 4, 0, 0, 0, 0);
  int64_t c = 0, j = 0;
  for (; j + 4 <= n; j += 4) {
    const __m256d v = _mm256_loadu_pd(row + j);
    const int m = _mm256_movemask_pd(_mm256_cmp_pd(v, vlim, _CMP_LE_OQ));
    const __m256 e = _mm256_castpd_ps(_mm256_sub_pd(vdmin, v));
    const __m256i pv = _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompress.values[m]));
    const __m256i pj = _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompress.indices[m]));
    _mm256_storeu_pd(outV + c, _mm256_castps_pd(_mm256_permutevar8x32_ps(e, pv)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(outJ + c), _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(vj, pj)));
    c += _mm_popcnt_u32(static_cast<unsigned>(m));
    vj = _mm256_add_epi32(vj, four);
  }
  return KeptPairsScalar(row, j, n, dmin, lim, outJ, outV, c);
}
#endif

// outJ and outV hold n entries: the vector stores write at most 4 past the kept count, and
// never past n since that count is at most the number of entries read.
int64_t KeptPairs(const double* row, int64_t n, double dmin, double lim, int32_t* outJ, double* outV) {
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  if (avx2) return KeptPairsAvx2(row, n, dmin, lim, outJ, outV);
#endif
  return KeptPairsScalar(row, 0, n, dmin, lim, outJ, outV, 0);
}

// Row i's kept exponents (ev, cnt of them) become its weights in place; returns p_i.
double ListWeights(double* ev, const int32_t* jv, int64_t cnt, const int32_t* y, int32_t yi) {
  ExpInPlace(ev, cnt);
  double sum = 0, same = 0;
  for (int64_t q = 0; q < cnt; q++) {
    sum += ev[q];
    same += y[jv[q]] == yi ? ev[q] : 0.0;
  }
  const double pi = same / sum, inv = 1 / sum;
  for (int64_t q = 0; q < cnt; q++) ev[q] = ev[q] * inv * ((y[jv[q]] == yi ? 1.0 : 0.0) - pi);
  return pi;
}

// MLKR's rows (js-kernel-regression.ts is the reference): with kernel weights e_ij on the
// kept j, ŷ_i = Σ e_ij y_j / Σ e_ij, r_i = ŷ_i − y_i, and W_ij = 2 r_i (ŷ_i − y_j) e_ij / Σ e.
// A dense row of distances becomes its W row in place; returns r_i²; *rowSum = Σ_j W_ij.
__attribute__((target_clones("avx2", "default"), optimize("no-trapping-math"))) double DenseRegressionRow(double* row, const double* y, int64_t n, int64_t i, double dmin, double cutoff, double* rowSum) {
  const double lim = dmin + cutoff;
  for (int64_t j = 0; j < n; j++) row[j] = row[j] <= lim ? dmin - row[j] : -1000.0;
  ExpInPlace(row, n);
  double sum4[4] = {0, 0, 0, 0}, sy4[4] = {0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 4 <= n; j += 4)
    for (int t = 0; t < 4; t++) {
      sum4[t] += row[j + t];
      sy4[t] += row[j + t] * y[j + t];
    }
  for (; j < n; j++) {
    sum4[0] += row[j];
    sy4[0] += row[j] * y[j];
  }
  const double sum = (sum4[0] + sum4[1]) + (sum4[2] + sum4[3]), sy = (sy4[0] + sy4[1]) + (sy4[2] + sy4[3]);
  const double yhat = sy / sum, r = yhat - y[i], scale = 2 * r / sum;
  double rs4[4] = {0, 0, 0, 0};
  for (j = 0; j + 4 <= n; j += 4)
    for (int t = 0; t < 4; t++) {
      const double w = scale * (yhat - y[j + t]) * row[j + t];
      row[j + t] = w;
      rs4[t] += w;
    }
  for (; j < n; j++) {
    const double w = scale * (yhat - y[j]) * row[j];
    row[j] = w;
    rs4[0] += w;
  }
  *rowSum = (rs4[0] + rs4[1]) + (rs4[2] + rs4[3]);
  return r * r;
}

// The same from row i's kept exponents (ev, cnt of them), which become its weights.
double ListRegression(double* ev, const int32_t* jv, int64_t cnt, const double* y, int64_t i) {
  ExpInPlace(ev, cnt);
  double sum = 0, sy = 0;
  for (int64_t q = 0; q < cnt; q++) {
    sum += ev[q];
    sy += ev[q] * y[jv[q]];
  }
  const double yhat = sy / sum, r = yhat - y[i], scale = 2 * r / sum;
  for (int64_t q = 0; q < cnt; q++) ev[q] = scale * (yhat - y[jv[q]]) * ev[q];
  return r * r;
}

// How a row's distances become Laplacian weights: NCA's neighbour softmax or MLKR's kernel
// regression. Dense() works on a whole row of distances, List() on the kept exponents.
struct SoftmaxRows {
  const int32_t* y;
  double Dense(double* row, int64_t n, int64_t i, double dmin, double cutoff, double* rowSum) const { return DenseWeightsRow(row, y, n, i, dmin, cutoff, rowSum); }
  double List(double* ev, const int32_t* jv, int64_t cnt, int64_t i) const { return ListWeights(ev, jv, cnt, y, y[i]); }
};
struct RegressionRows {
  const double* y;
  double Dense(double* row, int64_t n, int64_t i, double dmin, double cutoff, double* rowSum) const { return DenseRegressionRow(row, y, n, i, dmin, cutoff, rowSum); }
  double List(double* ev, const int32_t* jv, int64_t cnt, int64_t i) const { return ListRegression(ev, jv, cnt, y, i); }
};

// SX_i += Σ_q w_q (x_i − x_jq) and SX_jq −= w_q (x_i − x_jq): row i's share of Lap(W) X.
__attribute__((target_clones("avx2", "default"))) void ListLaplacian(const double* X, int64_t d, int64_t i, const int32_t* jv, const double* wv, int64_t cnt, double* SX) {
  const double* xi = X + i * d;
  double* si = SX + i * d;
  for (int64_t q = 0; q < cnt; q++) {
    const double w = wv[q];
    const double* xj = X + static_cast<int64_t>(jv[q]) * d;
    double* sj = SX + static_cast<int64_t>(jv[q]) * d;
    for (int64_t c = 0; c < d; c++) {
      const double v = w * (xi[c] - xj[c]);
      si[c] += v;
      sj[c] -= v;
    }
  }
}

// The lower triangle of a symmetric n x n matrix from its upper one, in 32 x 32 tiles.
void MirrorUpper(double* G, int64_t n) {
  constexpr int64_t kTile = 32;
  for (int64_t i0 = 0; i0 < n; i0 += kTile)
    for (int64_t j0 = 0; j0 <= i0; j0 += kTile)
      for (int64_t i = i0; i < std::min(n, i0 + kTile); i++)
        for (int64_t j = j0; j < std::min(i, j0 + kTile); j++) G[i * n + j] = G[j * n + i];
}

// Σ_i p_i (NCA) or Σ_i r_i² (MLKR), and SX = Lap(W) X, on the exact path (see above). Row
// blocks of about 256 K distances, as on the search path.
template <class Rows>
double ExactRowsLaplacian(const double* X, const double* Z, int64_t n, int64_t d, int64_t k, const Rows& weights, double cutoff, double* SX) {
  std::vector<double> nrm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) {
    double s = 0;
    for (int64_t c = 0; c < k; c++) s += Z[i * k + c] * Z[i * k + c];
    nrm[i] = s;
  }
  const int64_t rows = std::min<int64_t>(n, std::max<int64_t>(32, 262144 / n));
  static thread_local Scratch<double> gBuf, vBuf, tBuf;
  static thread_local Scratch<int32_t> jBuf;
  double* const G = gBuf.Get(static_cast<size_t>(rows * n));
  double* const ev = vBuf.Get(static_cast<size_t>(n));
  int32_t* const jv = jBuf.Get(static_cast<size_t>(n));
  double* const T = tBuf.Get(static_cast<size_t>(rows * d));
  std::vector<double> dmin(static_cast<size_t>(rows)), rowSum(static_cast<size_t>(rows)), colSum;
  std::fill(SX, SX + n * d, 0.0);
  double f = 0;
  for (int64_t s0 = 0; s0 < n; s0 += rows) {
    const int64_t rb = std::min(rows, n - s0);
    if (rb == n) {
      // One block: Z Zᵀ is symmetric, so half of it by SYRK and the other half mirrored.
      cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, static_cast<int>(n), static_cast<int>(k), 1.0, Z, static_cast<int>(k), 0.0, G, static_cast<int>(n));
      MirrorUpper(G, n);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rb), static_cast<int>(n), static_cast<int>(k), 1.0, Z + s0 * k, static_cast<int>(k), Z, static_cast<int>(k), 0.0, G, static_cast<int>(n));
    }
    int64_t keep = 0;
    for (int64_t r = 0; r < rb; r++) {
      dmin[r] = DistanceRow(G + r * n, nrm.data(), n, s0 + r);
      keep += CountAtMost(G + r * n, n, dmin[r] + cutoff);
    }
    if (3 * keep <= rb * n) {
      for (int64_t r = 0; r < rb; r++) {
        const int64_t i = s0 + r;
        const int64_t cnt = KeptPairs(G + r * n, n, dmin[r], dmin[r] + cutoff, jv, ev);
        f += weights.List(ev, jv, cnt, i);
        ListLaplacian(X, d, i, jv, ev, cnt, SX);
      }
      continue;
    }
    // Flat softmaxes: the weights stay in G and the Laplacian is two GEMMs. The block's rows
    // gain rowSum_i x_i − (W_b X)_i; every column j gains −(W_bᵀ X_b)_j now and colSum_j x_j
    // once all blocks are done.
    for (int64_t r = 0; r < rb; r++) f += weights.Dense(G + r * n, n, s0 + r, dmin[r], cutoff, &rowSum[r]);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rb), static_cast<int>(d), static_cast<int>(n), 1.0, G, static_cast<int>(n), X, static_cast<int>(d), 0.0, T, static_cast<int>(d));
    if (colSum.empty()) colSum.assign(static_cast<size_t>(n), 0.0);
    for (int64_t r = 0; r < rb; r++) {
      const double* wr = G + r * n;
      for (int64_t j = 0; j < n; j++) colSum[j] += wr[j];
      const double* xi = X + (s0 + r) * d;
      double* si = SX + (s0 + r) * d;
      for (int64_t c = 0; c < d; c++) si[c] += rowSum[r] * xi[c] - T[r * d + c];
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(n), static_cast<int>(d), static_cast<int>(rb), -1.0, G, static_cast<int>(n), X + s0 * d, static_cast<int>(d), 1.0, SX, static_cast<int>(d));
  }
  if (!colSum.empty())
    for (int64_t j = 0; j < n; j++)
      for (int64_t c = 0; c < d; c++) SX[j * d + c] += colSum[j] * X[j * d + c];
  return f;
}

// Arguments: X (Float64Array, n x d), Z (Float64Array, n x k), n, d, k, y (Int32Array, n),
// cutoff, SX (Float64Array, n x d, written). Returns Σ_i p_i.
Napi::Value NeighbourSoftmaxLaplacianExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "neighbourSoftmaxLaplacian";
  FloatArg x = GetFloat64Array(info, 0, fn, "X");
  FloatArg z = GetFloat64Array(info, 1, fn, "Z");
  const int64_t n = GetDim(info, 2, fn, "n");
  const int64_t d = GetDim(info, 3, fn, "d");
  const int64_t k = GetDim(info, 4, fn, "k");
  Napi::Int32Array yArr = GetInt32Array(info, 5, fn, "y");
  const double cutoff = GetNumber(info, 6, fn, "cutoff");
  FloatArg sx = GetFloat64Array(info, 7, fn, "SX");
  if (n < 2) ThrowRange(env, std::string(fn) + ": n must be at least 2 (a softmax over the other rows), got " + std::to_string(n));
  if (d < 1 || k < 1) ThrowRange(env, std::string(fn) + ": d and k must be positive integers");
  RequireAtLeast(env, fn, "X", x, CheckedProduct(env, fn, n, d), "an " + std::to_string(n) + " x " + std::to_string(d) + " matrix");
  RequireAtLeast(env, fn, "Z", z, CheckedProduct(env, fn, n, k), "an " + std::to_string(n) + " x " + std::to_string(k) + " matrix");
  RequireAtLeast(env, fn, "SX", sx, CheckedProduct(env, fn, n, d), "an " + std::to_string(n) + " x " + std::to_string(d) + " matrix");
  if (static_cast<int64_t>(yArr.ElementLength()) != n) ThrowRange(env, std::string(fn) + ": y has " + std::to_string(yArr.ElementLength()) + " labels, expected " + std::to_string(n));
  if (!(cutoff > 0) || !std::isfinite(cutoff)) ThrowRange(env, std::string(fn) + ": cutoff must be a positive finite number");

  const double* X = x.as<double>();
  const double* Z = z.as<double>();
  const int32_t* y = yArr.Data();
  double* SX = sx.as<double>();
  if (k <= kExactMaxK) return Napi::Number::New(env, ExactRowsLaplacian(X, Z, n, d, k, SoftmaxRows{y}, cutoff, SX));
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const int64_t ka = k + 2;
  const AugmentedRows aug = AugmentRows(Z, n, k);
  const double errScale = SearchMargin(k);
  // Row ids as "labels": ScanRow then skips only the row itself.
  std::vector<int32_t> ids(static_cast<size_t>(n));
  std::iota(ids.begin(), ids.end(), 0);
  // Blocks of about 256 K distances (1 MB), and at least 32 rows (see impostors.cc).
  const int64_t rows = std::min<int64_t>(n, std::max<int64_t>(32, 262144 / n));
  static thread_local Scratch<float> gBuf;
  static thread_local Scratch<int32_t> bjBuf;
  static thread_local Scratch<double> bvBuf;
  float* const G = gBuf.Get(static_cast<size_t>(rows * n));
  // Per block: row r's support at bj[bStart[r] .. bStart[r + 1]) with its exact distances in
  // bv; then its kept columns at bj[bStart[r] .. bEnd[r]) with their weights in bv.
  int32_t* const bj = bjBuf.Get(static_cast<size_t>(rows * n));
  double* const bv = bvBuf.Get(static_cast<size_t>(rows * n));
  std::vector<int64_t> bStart(static_cast<size_t>(rows + 1)), bEnd(static_cast<size_t>(rows));
  std::vector<double> rowSum(static_cast<size_t>(rows)), colSum;
  std::vector<double> dense;  // rb x (columns used): exact inner products, then the weights, on dense blocks
  std::vector<double> T, V, packed;
  std::vector<int32_t> pos(static_cast<size_t>(n), -1), U;
  std::fill(SX, SX + n * d, 0.0);
  double f = 0;
  for (int64_t s0 = 0; s0 < n; s0 += rows) {
    const int64_t rb = std::min(rows, n - s0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rb), static_cast<int>(n), static_cast<int>(ka), 1.0f, aug.A.data() + s0 * ka, static_cast<int>(ka), aug.B.data(), static_cast<int>(ka), 0.0f, G, static_cast<int>(n));
    int64_t total = 0;
    for (int64_t r = 0; r < rb; r++) {
      const int64_t i = s0 + r;
      const float* g = G + r * n;
      const int32_t self = static_cast<int32_t>(i);
      int64_t cnt = 0;
      bStart[r] = total;
      const float dmin32 = ScanRow(g, ids.data(), n, self, -std::numeric_limits<float>::infinity(), bj + total, &cnt);
      // Every j whose exact distance is within cutoff of the exact minimum has a search
      // distance within cutoff + 2 margins of the search minimum.
      const double margin = errScale * (aug.nrm[i] + aug.maxN);
      ScanRow(g, ids.data(), n, self, RoundUp(static_cast<double>(dmin32) + cutoff + 2 * margin), bj + total, &cnt);
      total += cnt;
    }
    bStart[rb] = total;
    // Exact distances: pair by pair while the supports are sparse; from one float64 GEMM over
    // the block's rows and the columns their supports use when those cover more than a sixth
    // of that rectangle (a pair costs ~6 GEMM entries). Rows ordered by class keep the
    // rectangle narrow.
    CollectColumns(bj, bStart.data(), bStart.data() + 1, rb, n, pos, U);
    const int64_t uc = static_cast<int64_t>(U.size());
    const bool denseDist = 6 * total > rb * uc;
    if (denseDist) {
      GatherRows(Z, k, U, packed);
      dense.resize(static_cast<size_t>(rb * uc));
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rb), static_cast<int>(uc), static_cast<int>(k), 1.0, Z + s0 * k, static_cast<int>(k), packed.data(), static_cast<int>(k), 0.0, dense.data(), static_cast<int>(uc));
    }
    int64_t kept = 0;
    for (int64_t r = 0; r < rb; r++) {
      const int64_t i = s0 + r;
      const double* zi = Z + i * k;
      double dmin = kInf;
      const int64_t q0 = bStart[r], q1 = bStart[r + 1];
      for (int64_t q = q0; q < q1; q++) {
        const int64_t j = bj[q];
        double v;
        if (denseDist) {
          v = aug.nrm[i] + aug.nrm[j] - 2 * dense[r * uc + pos[j]];
          if (v < 0) v = 0;
        } else {
          v = SqDist4(zi, Z + j * k, k);
        }
        bv[q] = v;
        if (v < dmin) dmin = v;
      }
      const double lim = dmin + cutoff;
      const int32_t yi = y[i];
      // The kept exponents first, then their exponentials in one vectorised pass (scalar
      // std::exp calls were a quarter of a smooth-softmax evaluation), then the sums in the
      // reference's order.
      int64_t w0 = q0;
      for (int64_t q = q0; q < q1; q++) {
        const double v = bv[q];
        if (v > lim) continue;
        bj[w0] = bj[q];
        bv[w0] = dmin - v;
        w0++;
      }
      ExpInPlace(bv + q0, w0 - q0);
      double sum = 0, same = 0;
      for (int64_t q = q0; q < w0; q++) {
        const double e = bv[q];
        sum += e;
        if (y[bj[q]] == yi) same += e;
      }
      const double pi = same / sum;
      f += pi;
      const double inv = 1 / sum;
      double rs = 0;
      for (int64_t q = q0; q < w0; q++) {
        const double w = bv[q] * inv * ((y[bj[q]] == yi ? 1.0 : 0.0) - pi);
        bv[q] = w;
        rs += w;
      }
      rowSum[r] = rs;
      kept += w0 - q0;
      bEnd[r] = w0;
    }
    ReleaseColumns(pos, U);
    // Laplacian: pair by pair while sparse; two GEMMs on the block of weights W_b restricted
    // to the columns it uses when they fill more than about a tenth of that rectangle (a
    // pair costs ~10 GEMM entries, being scattered).
    CollectColumns(bj, bStart.data(), bEnd.data(), rb, n, pos, U);
    const int64_t uk = static_cast<int64_t>(U.size());
    if (10 * kept > rb * uk) {
      dense.assign(static_cast<size_t>(rb * uk), 0.0);
      for (int64_t r = 0; r < rb; r++)
        for (int64_t q = bStart[r]; q < bEnd[r]; q++) dense[r * uk + pos[bj[q]]] = bv[q];
      // Rows of the block gain rowSum_i x_i − (W_b X)_i; every used column j gains
      // colSum_j x_j − (W_bᵀ X_b)_j.
      GatherRows(X, d, U, packed);
      T.resize(static_cast<size_t>(rb * d));
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rb), static_cast<int>(d), static_cast<int>(uk), 1.0, dense.data(), static_cast<int>(uk), packed.data(), static_cast<int>(d), 0.0, T.data(), static_cast<int>(d));
      V.resize(static_cast<size_t>(uk * d));
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(uk), static_cast<int>(d), static_cast<int>(rb), 1.0, dense.data(), static_cast<int>(uk), X + s0 * d, static_cast<int>(d), 0.0, V.data(), static_cast<int>(d));
      colSum.assign(static_cast<size_t>(uk), 0.0);
      for (int64_t r = 0; r < rb; r++)
        for (int64_t q = bStart[r]; q < bEnd[r]; q++) colSum[pos[bj[q]]] += bv[q];
      for (int64_t r = 0; r < rb; r++) {
        const double* xi = X + (s0 + r) * d;
        double* si = SX + (s0 + r) * d;
        for (int64_t c = 0; c < d; c++) si[c] += rowSum[r] * xi[c] - T[r * d + c];
      }
      for (int64_t t = 0; t < uk; t++) {
        const double* xj = X + static_cast<int64_t>(U[t]) * d;
        double* sj = SX + static_cast<int64_t>(U[t]) * d;
        for (int64_t c = 0; c < d; c++) sj[c] += colSum[t] * xj[c] - V[t * d + c];
      }
      ReleaseColumns(pos, U);
    } else {
      ReleaseColumns(pos, U);
      for (int64_t r = 0; r < rb; r++) ListLaplacian(X, d, s0 + r, bj + bStart[r], bv + bStart[r], bEnd[r] - bStart[r], SX);
    }
  }
  return Napi::Number::New(env, f);
}

// Arguments: X (Float64Array, n x d), Z (Float64Array, n x k), n, d, k, y (Float64Array, n),
// cutoff, SX (Float64Array, n x d, written). Returns Σ_i r_i². Always on the exact path: MLKR
// has no search to save, and its JavaScript form was a dense n² pass.
Napi::Value KernelRegressionLaplacianExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "kernelRegressionLaplacian";
  FloatArg x = GetFloat64Array(info, 0, fn, "X");
  FloatArg z = GetFloat64Array(info, 1, fn, "Z");
  const int64_t n = GetDim(info, 2, fn, "n");
  const int64_t d = GetDim(info, 3, fn, "d");
  const int64_t k = GetDim(info, 4, fn, "k");
  FloatArg yv = GetFloat64Array(info, 5, fn, "y");
  const double cutoff = GetNumber(info, 6, fn, "cutoff");
  FloatArg sx = GetFloat64Array(info, 7, fn, "SX");
  if (n < 2) ThrowRange(env, std::string(fn) + ": n must be at least 2 (a prediction from the other rows), got " + std::to_string(n));
  if (d < 1 || k < 1) ThrowRange(env, std::string(fn) + ": d and k must be positive integers");
  RequireAtLeast(env, fn, "X", x, CheckedProduct(env, fn, n, d), "an " + std::to_string(n) + " x " + std::to_string(d) + " matrix");
  RequireAtLeast(env, fn, "Z", z, CheckedProduct(env, fn, n, k), "an " + std::to_string(n) + " x " + std::to_string(k) + " matrix");
  RequireAtLeast(env, fn, "SX", sx, CheckedProduct(env, fn, n, d), "an " + std::to_string(n) + " x " + std::to_string(d) + " matrix");
  RequireAtLeast(env, fn, "y", yv, n, std::to_string(n) + " targets");
  if (!(cutoff > 0) || !std::isfinite(cutoff)) ThrowRange(env, std::string(fn) + ": cutoff must be a positive finite number");
  return Napi::Number::New(env, ExactRowsLaplacian(x.as<double>(), z.as<double>(), n, d, k, RegressionRows{yv.as<double>()}, cutoff, sx.as<double>()));
}

}  // namespace

void RegisterSoftmax(Napi::Env env, Napi::Object exports) {
  exports.Set("neighbourSoftmaxLaplacian", MakeFunction(env, "neighbourSoftmaxLaplacian", NeighbourSoftmaxLaplacianExport));
  exports.Set("kernelRegressionLaplacian", MakeFunction(env, "kernelRegressionLaplacian", KernelRegressionLaplacianExport));
}

}  // namespace simlearn
