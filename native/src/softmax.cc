// The neighbour softmax of NCA and its Laplacian product. src/backend/js-softmax.ts is the
// reference and the documentation. Each row's support is searched in float32 (OpenBLAS sgemm
// on augmented rows, row_scan.h) with float32's rounding margin, and the distances kept are
// recomputed in float64: pair by pair on sparse blocks, by one dgemm on dense ones, where the
// Laplacian product also becomes two dgemms. In JavaScript the pass over the n² distances and
// the Laplacian product cost three times the GEMM before them.
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
      for (int64_t r = 0; r < rb; r++) {
        const int64_t i = s0 + r;
        const double* xi = X + i * d;
        double* si = SX + i * d;
        for (int64_t q = bStart[r]; q < bEnd[r]; q++) {
          const double w = bv[q];
          if (w == 0) continue;
          const double* xj = X + static_cast<int64_t>(bj[q]) * d;
          double* sj = SX + static_cast<int64_t>(bj[q]) * d;
          for (int64_t c = 0; c < d; c++) {
            const double v = w * (xi[c] - xj[c]);
            si[c] += v;
            sj[c] -= v;
          }
        }
      }
    }
  }
  return Napi::Number::New(env, f);
}

}  // namespace

void RegisterSoftmax(Napi::Env env, Napi::Object exports) {
  exports.Set("neighbourSoftmaxLaplacian", MakeFunction(env, "neighbourSoftmaxLaplacian", NeighbourSoftmaxLaplacianExport));
}

}  // namespace simlearn
