// LFDA's local-scaling affinity and its Laplacian product. src/backend/js-affinity.ts is the
// reference and the documentation; this is the same computation over BLAS and libm. When one
// block holds the whole class (the usual case), the distances come from one dsyrk, each pair's
// exponential is taken once, and A X is one dsymm; the local scales are selected from the same
// distances, so no separate neighbour search is needed. In JavaScript the m² exponentials and
// passes cost several times the GEMMs.
#include <cblas.h>
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "args.h"
#include "exports.h"

namespace simlearn {

namespace {

double Scale(std::vector<double>& others, int64_t k) {
  std::nth_element(others.begin(), others.begin() + (k - 1), others.end());
  return std::max(std::sqrt(others[k - 1]), 1e-12);
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
  const int64_t rows = std::min<int64_t>(m, std::max<int64_t>(32, 262144 / m));
  std::vector<double> A(static_cast<size_t>(rows * m)), others(static_cast<size_t>(m - 1));
  const int im = static_cast<int>(m), id = static_cast<int>(d);
  if (rows == m) {
    // Upper triangle only: distances, then each row's scale from its row and column parts,
    // then the exponentials with the degrees summed on the way.
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, im, id, 1.0, X, id, 0.0, A.data(), im);
    for (int64_t a = 0; a < m; a++)
      for (int64_t b = a + 1; b < m; b++) {
        const double v = nrm[a] + nrm[b] - 2 * A[a * m + b];
        A[a * m + b] = v < 0 ? 0 : v;
      }
    for (int64_t a = 0; a < m; a++) {
      int64_t t = 0;
      for (int64_t b = 0; b < a; b++) others[t++] = A[b * m + a];
      for (int64_t b = a + 1; b < m; b++) others[t++] = A[a * m + b];
      sigma[a] = Scale(others, k);
    }
    std::vector<double> deg(static_cast<size_t>(m), 0.0);
    for (int64_t a = 0; a < m; a++) {
      double* row = A.data() + a * m;
      row[a] = 0;
      double da = 0;
      for (int64_t b = a + 1; b < m; b++) {
        const double v = std::exp(-row[b] / (sigma[a] * sigma[b]));
        row[b] = v;
        da += v;
        deg[b] += v;
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
    for (int64_t r = 0; r < rb; r++) {
      int64_t t = 0;
      for (int64_t b = 0; b < m; b++)
        if (b != s0 + r) others[t++] = A[r * m + b];
      sigma[s0 + r] = Scale(others, k);
    }
  }
  for (int64_t s0 = 0; s0 < m; s0 += rows) {
    const int64_t rb = std::min(rows, m - s0);
    distancesOfBlock(s0, rb);
    for (int64_t r = 0; r < rb; r++) {
      const int64_t a = s0 + r;
      double* row = A.data() + r * m;
      double deg = 0;
      for (int64_t b = 0; b < m; b++) {
        const double v = b == a ? 0 : std::exp(-row[b] / (sigma[a] * sigma[b]));
        row[b] = v;
        deg += v;
      }
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
