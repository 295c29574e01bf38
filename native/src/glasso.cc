// The block coordinate descent of the graphical lasso (Friedman, Hastie & Tibshirani 2008),
// the sweeps only: src/backend/js-glasso.ts is the reference and the documentation, and this
// is the same loop statement for statement, so both backends give the same bits (no FMA at
// the x86-64-v2 baseline, so nothing is contracted). SDML on digits spends nearly all its
// fit in these sweeps, and in JavaScript they ran at about a fifth of this speed.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "args.h"
#include "exports.h"

namespace simlearn {

namespace {

// Σ a[l] b[l] as four partial sums by l mod 4, then (s0 + s1) + (s2 + s3), then the tail:
// js-glasso.ts adds in this order too.
inline double Dot4(const double* a, const double* b, int64_t d) {
  const int64_t d4 = d & ~int64_t{3};
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (int64_t l = 0; l < d4; l += 4) {
    s0 += a[l] * b[l];
    s1 += a[l + 1] * b[l + 1];
    s2 += a[l + 2] * b[l + 2];
    s3 += a[l + 3] * b[l + 3];
  }
  double s = (s0 + s1) + (s2 + s3);
  for (int64_t l = d4; l < d; l++) s += a[l] * b[l];
  return s;
}

// W (d x d, in: S) and Bt (d x d, in: zeros) are updated in place; returns the sweeps made.
// Built twice, for AVX2 and for the baseline, and picked at load: the coefficient update is an
// axpy over a row of W, which AVX2 does four at a time. There is no FMA in either build, so
// both give the JavaScript reference's bits.
__attribute__((target_clones("avx2", "default"))) int64_t GlassoSweeps(const double* S, int64_t d, double rho, int64_t maxIter, double tol, int64_t lassoMaxIter, double* W, double* Bt, bool* converged) {
  constexpr double kLassoTol = 1e-10;
  std::vector<double> r(static_cast<size_t>(d));
  double scale = 0;
  for (int64_t i = 0; i < d; i++)
    for (int64_t j = 0; j < d; j++)
      if (i != j) scale += std::fabs(S[i * d + j]);
  scale = scale / static_cast<double>(std::max<int64_t>(1, d * (d - 1)));
  if (!(scale != 0) || scale != scale) scale = 1;  // JavaScript's `|| 1`: 0 and NaN
  double innerTol = 1e-3;
  int64_t it = 0;
  *converged = false;
  while (it < maxIter) {
    it++;
    innerTol *= 0.01;
    const double stopRel = std::max(kLassoTol, innerTol);
    double change = 0;
    for (int64_t j = 0; j < d; j++) {
      double* b = Bt + j * d;
      for (int64_t k = 0; k < d; k++) {
        const double* w = W + k * d;
        r[k] = S[k * d + j] - Dot4(w, b, d) + w[j] * b[j];
      }
      for (int64_t sweep = 0; sweep < lassoMaxIter; sweep++) {
        double maxDelta = 0, maxBeta = 0;
        for (int64_t k = 0; k < d; k++) {
          if (k == j) continue;
          const double* w = W + k * d;
          const double wkk = w[k];
          const double old = b[k];
          const double z = r[k] + wkk * old;
          const double nb = (z > rho ? z - rho : z < -rho ? z + rho : 0) / wkk;
          const double delta = nb - old;
          if (delta != 0) {
            b[k] = nb;
            double* rr = r.data();
            for (int64_t l = 0; l < d; l++) rr[l] -= delta * w[l];
            const double ad = delta < 0 ? -delta : delta;
            if (ad > maxDelta) maxDelta = ad;
          }
          const double ab = nb < 0 ? -nb : nb;
          if (ab > maxBeta) maxBeta = ab;
        }
        if (maxDelta <= stopRel * std::max(maxBeta, 1e-300) || maxDelta == 0) break;
      }
      for (int64_t k = 0; k < d; k++) {
        if (k == j) continue;
        const double* w = W + k * d;
        const double acc = Dot4(w, b, d);  // b[j] = 0: no need to skip l = j
        change += std::fabs(acc - W[k * d + j]);
        W[k * d + j] = acc;
        W[j * d + k] = acc;
      }
    }
    if (change / static_cast<double>(d * (d - 1)) < tol * scale) {
      *converged = true;
      break;
    }
  }
  return it;
}

// Arguments: S (Float64Array, d x d), d, rho, maxIter, tol, lassoMaxIter.
// Returns { covariance: W, beta: Bt, nIter, converged }.
Napi::Value GlassoExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "graphicalLassoSweeps";
  FloatArg s = GetFloat64Array(info, 0, fn, "S");
  const int64_t d = GetDim(info, 1, fn, "d");
  const double rho = GetNumber(info, 2, fn, "rho");
  const int64_t maxIter = GetDim(info, 3, fn, "maxIter");
  const double tol = GetNumber(info, 4, fn, "tol");
  const int64_t lassoMaxIter = GetDim(info, 5, fn, "lassoMaxIter");
  if (d < 2) ThrowRange(env, "graphicalLassoSweeps: d must be at least 2, got " + std::to_string(d));
  RequireExactly(env, fn, "S", s, CheckedProduct(env, fn, d, d), "a " + std::to_string(d) + " x " + std::to_string(d) + " matrix");
  const size_t dd = static_cast<size_t>(d * d);
  Napi::Float64Array W = Napi::Float64Array::New(env, dd);
  Napi::Float64Array Bt = Napi::Float64Array::New(env, dd);  // zero-filled
  std::copy(s.as<double>(), s.as<double>() + dd, W.Data());
  bool converged = false;
  const int64_t it = GlassoSweeps(s.as<double>(), d, rho, maxIter, tol, lassoMaxIter, W.Data(), Bt.Data(), &converged);
  Napi::Object result = Napi::Object::New(env);
  result.Set("covariance", W);
  result.Set("beta", Bt);
  result.Set("nIter", Napi::Number::New(env, static_cast<double>(it)));
  result.Set("converged", Napi::Boolean::New(env, converged));
  return result;
}

}  // namespace

void RegisterGlasso(Napi::Env env, Napi::Object exports) {
  exports.Set("graphicalLassoSweeps", MakeFunction(env, "graphicalLassoSweeps", GlassoExport));
}

}  // namespace simlearn
