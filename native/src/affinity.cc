// LFDA's local-scaling affinity and its Laplacian product. src/backend/js-affinity.ts is the
// reference and the documentation; this is the same computation over BLAS and libm. When one
// block holds the whole class (the usual case), the distances come from one dsyrk, each pair's
// exponential is taken once, and A X is one dsymm; the local scales are selected from the same
// distances, so no separate neighbour search is needed. The m² exponentials are the largest
// cost after that, so they go through the vectorised ExpInPlace rather than std::exp.
#include <cblas.h>
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "args.h"
#include "exports.h"
#include "vector_exp.h"

namespace simlearn {

namespace {

// max(√(k-th smallest of v[0 .. count)), 1e-12), keeping the k smallest in sorted order in
// best (k entries): with k small, nearly every value fails the first comparison.
double Scale(const double* v, int64_t count, int64_t skip, int64_t k, std::vector<double>& best) {
  std::fill(best.begin(), best.end(), std::numeric_limits<double>::infinity());
  for (int64_t b = 0; b < count; b++) {
    const double x = v[b];
    if (b == skip || !(x < best[k - 1])) continue;
    int64_t t = k - 1;
    while (t > 0 && best[t - 1] > x) {
      best[t] = best[t - 1];
      t--;
    }
    best[t] = x;
  }
  return std::max(std::sqrt(best[k - 1]), 1e-12);
}

// Arguments: X (Float64Array, m x d), m, d, k, out (Float64Array, m x d, written). Returns σ.
Napi::Value AffinityLaplacianExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "affinityLaplacian";
  FloatArg x = GetFloat64Array(info, 0, fn, "X");
  const int64_t m = GetDim(info, 1, fn, "m");
  const int64_t d = GetDim(info, 2, fn, "d");
  const int64_t k = GetDim(info, 3, fn, "k");
  FloatArg o = GetFloat64Array(info, 4, fn, "out");
  if (m < 2 || d < 1) ThrowRange(env, std::string(fn) + ": m must be at least 2 and d positive");
  if (k < 1 || k > m - 1) ThrowRange(env, std::string(fn) + ": k must be an integer from 1 to m − 1 = " + std::to_string(m - 1) + ", got " + std::to_string(k));
  const std::string shape = "an " + std::to_string(m) + " x " + std::to_string(d) + " matrix";
  RequireAtLeast(env, fn, "X", x, CheckedProduct(env, fn, m, d), shape);
  RequireAtLeast(env, fn, "out", o, CheckedProduct(env, fn, m, d), shape);
  const double* X = x.as<double>();
  double* out = o.as<double>();
  Napi::Float64Array sigmaArr = Napi::Float64Array::New(env, static_cast<size_t>(m));
  double* sigma = sigmaArr.Data();
  std::vector<double> nrm(static_cast<size_t>(m));
  for (int64_t a = 0; a < m; a++) {
    double s = 0;
    for (int64_t c = 0; c < d; c++) s += X[a * d + c] * X[a * d + c];
    nrm[a] = s;
  }
  // Classes up to 2048 rows (32 MB of affinities) in one block, which takes the symmetric path.
  const int64_t rows = m <= 2048 ? m : std::max<int64_t>(32, 262144 / m);
  std::vector<double> A(static_cast<size_t>(rows * m)), best(static_cast<size_t>(k));
  const int im = static_cast<int>(m), id = static_cast<int>(d);
  if (rows == m) {
    // Distances on the upper triangle, mirrored for the scales; then the exponentials on the
    // upper triangle only, with the degrees summed on the way (dsymm reads no other).
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, im, id, 1.0, X, id, 0.0, A.data(), im);
    for (int64_t a = 0; a < m; a++)
      for (int64_t b = a + 1; b < m; b++) {
        const double v = nrm[a] + nrm[b] - 2 * A[a * m + b];
        A[a * m + b] = v < 0 ? 0 : v;
      }
    // The lower triangle from the upper in 32 x 32 tiles (a column walk would miss the cache
    // on every read), so each row's distances are contiguous for the scale selection.
    constexpr int64_t kTile = 32;
    for (int64_t a0 = 0; a0 < m; a0 += kTile)
      for (int64_t b0 = a0; b0 < m; b0 += kTile)
        for (int64_t a = a0; a < std::min(a0 + kTile, m); a++)
          for (int64_t b = std::max(b0, a + 1); b < std::min(b0 + kTile, m); b++) A[b * m + a] = A[a * m + b];
    for (int64_t a = 0; a < m; a++) sigma[a] = Scale(A.data() + a * m, m, a, k, best);
    std::vector<double> deg(static_cast<size_t>(m), 0.0);
    for (int64_t a = 0; a < m; a++) {
      double* row = A.data() + a * m;
      row[a] = 0;
      for (int64_t b = a + 1; b < m; b++) row[b] = -row[b] / (sigma[a] * sigma[b]);
      ExpInPlace(row + a + 1, m - a - 1);
      double da = 0;
      for (int64_t b = a + 1; b < m; b++) {
        da += row[b];
        deg[b] += row[b];
      }
      deg[a] += da;
    }
    for (int64_t a = 0; a < m; a++)
      for (int64_t c = 0; c < d; c++) out[a * d + c] = deg[a] * X[a * d + c];
    cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, im, id, -1.0, A.data(), im, X, id, 1.0, out, id);
    return sigmaArr;
  }
  auto distancesOfBlock = [&](int64_t s0, int64_t rb) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rb), im, id, 1.0, X + s0 * d, id, X, id, 0.0, A.data(), im);
    for (int64_t r = 0; r < rb; r++)
      for (int64_t b = 0; b < m; b++) {
        const double v = nrm[s0 + r] + nrm[b] - 2 * A[r * m + b];
        A[r * m + b] = v < 0 ? 0 : v;
      }
  };
  for (int64_t s0 = 0; s0 < m; s0 += rows) {
    const int64_t rb = std::min(rows, m - s0);
    distancesOfBlock(s0, rb);
    for (int64_t r = 0; r < rb; r++) sigma[s0 + r] = Scale(A.data() + r * m, m, s0 + r, k, best);
  }
  for (int64_t s0 = 0; s0 < m; s0 += rows) {
    const int64_t rb = std::min(rows, m - s0);
    distancesOfBlock(s0, rb);
    for (int64_t r = 0; r < rb; r++) {
      const int64_t a = s0 + r;
      double* row = A.data() + r * m;
      for (int64_t b = 0; b < m; b++) row[b] = -row[b] / (sigma[a] * sigma[b]);
      ExpInPlace(row, m);
      row[a] = 0;
      double deg = 0;
      for (int64_t b = 0; b < m; b++) deg += row[b];
      for (int64_t c = 0; c < d; c++) out[a * d + c] = deg * X[a * d + c];
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rb), id, im, -1.0, A.data(), im, X, id, 1.0, out + s0 * d, id);
  }
  return sigmaArr;
}

}  // namespace

void RegisterAffinity(Napi::Env env, Napi::Object exports) {
  exports.Set("affinityLaplacian", MakeFunction(env, "affinityLaplacian", AffinityLaplacianExport));
}

}  // namespace simlearn
