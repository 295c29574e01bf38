// LFDA's local-scaling affinity and its Laplacian product. src/backend/js-affinity.ts is the
// reference and the documentation; this is the same computation over dgemm and libm's exp,
// taking each pair's exponential once when a block covers the whole class (the affinity is
// symmetric). In JavaScript the m² exponentials and passes cost several times the GEMMs.
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

// Arguments: X (Float64Array, m x d), m, d, sigma (Float64Array, m), out (Float64Array, m x d, written).
Napi::Value AffinityLaplacianExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "affinityLaplacian";
  FloatArg x = GetFloat64Array(info, 0, fn, "X");
  const int64_t m = GetDim(info, 1, fn, "m");
  const int64_t d = GetDim(info, 2, fn, "d");
  FloatArg sg = GetFloat64Array(info, 3, fn, "sigma");
  FloatArg o = GetFloat64Array(info, 4, fn, "out");
  if (m < 1 || d < 1) ThrowRange(env, std::string(fn) + ": m and d must be positive integers");
  const std::string shape = "an " + std::to_string(m) + " x " + std::to_string(d) + " matrix";
  RequireAtLeast(env, fn, "X", x, CheckedProduct(env, fn, m, d), shape);
  RequireAtLeast(env, fn, "out", o, CheckedProduct(env, fn, m, d), shape);
  if (static_cast<int64_t>(sg.length) != m) ThrowRange(env, std::string(fn) + ": sigma must be a Float64Array of " + std::to_string(m) + " scales");
  const double* X = x.as<double>();
  const double* sigma = sg.as<double>();
  double* out = o.as<double>();
  for (int64_t a = 0; a < m; a++) {
    if (!(sigma[a] > 0) || !std::isfinite(sigma[a])) ThrowRange(env, std::string(fn) + ": sigma[" + std::to_string(a) + "] is not positive and finite");
  }
  std::vector<double> nrm(static_cast<size_t>(m));
  for (int64_t a = 0; a < m; a++) {
    double s = 0;
    for (int64_t c = 0; c < d; c++) s += X[a * d + c] * X[a * d + c];
    nrm[a] = s;
  }
  const int64_t rows = std::min<int64_t>(m, std::max<int64_t>(32, 262144 / m));
  std::vector<double> A(static_cast<size_t>(rows * m));
  const int im = static_cast<int>(m), id = static_cast<int>(d);
  for (int64_t s0 = 0; s0 < m; s0 += rows) {
    const int64_t rb = std::min(rows, m - s0);
    const bool whole = rb == m;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rb), im, id, 1.0, X + s0 * d, id, X, id, 0.0, A.data(), im);
    for (int64_t r = 0; r < rb; r++) {
      const int64_t a = s0 + r;
      double* row = A.data() + r * m;
      // On a whole-class block the lower triangle is already the transpose of rows above.
      const int64_t b0 = whole ? a + 1 : 0;
      for (int64_t b = b0; b < m; b++) {
        if (b == a) continue;
        double dist = nrm[a] + nrm[b] - 2 * row[b];
        if (dist < 0) dist = 0;
        row[b] = std::exp(-dist / (sigma[a] * sigma[b]));
      }
      row[a] = 0;
      if (whole)
        for (int64_t b = 0; b < a; b++) row[b] = A[b * m + a];
    }
    for (int64_t r = 0; r < rb; r++) {
      const int64_t a = s0 + r;
      const double* row = A.data() + r * m;
      double deg = 0;
      for (int64_t b = 0; b < m; b++) deg += row[b];
      for (int64_t c = 0; c < d; c++) out[a * d + c] = deg * X[a * d + c];
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rb), id, im, -1.0, A.data(), im, X, id, 1.0, out + s0 * d, id);
  }
  return env.Undefined();
}

}  // namespace

void RegisterAffinity(Napi::Env env, Napi::Object exports) {
  exports.Set("affinityLaplacian", MakeFunction(env, "affinityLaplacian", AffinityLaplacianExport));
}

}  // namespace simlearn
