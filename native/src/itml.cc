// ITML's cyclic Bregman projections (Davis et al., ICML 2007): src/backend/js-itml.ts is the
// reference and the documentation; this is the same loop, run without a call back into
// JavaScript per projection. At d ≥ 32, M v and the rank-one update go through BLAS as ITML's
// JavaScript did through the backend (same calls, so the same bits as before); below that,
// the reference's unrolled loops (same bits as the reference).
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "args.h"
#include "blas.h"
#include "exports.h"

namespace simlearn {

namespace {

struct Itml {
  const double* V;
  int64_t n, d, dp;
  const int8_t* y;
  double gamma;
  double* M;
  double* lambda;
  double* xi;
};

class Projector {
 public:
  explicit Projector(Itml& p) : P(p), Av(static_cast<size_t>(p.dp)), vbuf(static_cast<size_t>(p.dp)), gproj(p.gamma / (p.gamma + 1)), useBlas(p.d >= 32) {}

  void Project(int64_t c) {
    const int64_t dp = P.dp;
    const double* v = P.V + c * dp;
    double* Mp = P.M;
    double p = 0;
    if (useBlas) {
      std::copy(v, v + dp, vbuf.data());
      std::fill(Av.begin(), Av.end(), 0.0);
      Blas<double>::gemv(false, static_cast<blasint>(dp), static_cast<blasint>(dp), 1.0, Mp, static_cast<blasint>(dp), vbuf.data(), 0.0, Av.data());
      for (int64_t j = 0; j < dp; j++) p += Av[j] * vbuf[j];
    } else {
      for (int64_t i = 0; i < dp; i++) {
        const double* row = Mp + i * dp;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int64_t j = 0; j < dp; j += 4) {
          s0 += row[j] * v[j];
          s1 += row[j + 1] * v[j + 1];
          s2 += row[j + 2] * v[j + 2];
          s3 += row[j + 3] * v[j + 3];
        }
        const double s = s0 + s1 + s2 + s3;
        Av[i] = s;
        p += s * v[i];
      }
    }
    if (!(p > 1e-300)) return;
    const double delta = P.y[c] > 0 ? 1 : -1;
    const double alpha = std::min(P.lambda[c], delta * gproj * (1 / p - 1 / P.xi[c]));
    if (alpha == 0) return;
    const double beta = (delta * alpha) / (1 - delta * alpha * p);
    P.xi[c] = 1 / (1 / P.xi[c] + (delta * alpha) / P.gamma);
    P.lambda[c] -= alpha;
    if (useBlas) {
      Gemm<double>(false, false, dp, dp, 1, beta, Av.data(), 1, Av.data(), dp, 1.0, Mp, dp);
      return;
    }
    for (int64_t i = 0; i < dp; i++) {
      const double bi = beta * Av[i];
      if (bi == 0) continue;
      double* row = Mp + i * dp;
      for (int64_t j = 0; j < dp; j += 4) {
        row[j] += bi * Av[j];
        row[j + 1] += bi * Av[j + 1];
        row[j + 2] += bi * Av[j + 2];
        row[j + 3] += bi * Av[j + 3];
      }
    }
  }

 private:
  Itml& P;
  std::vector<double> Av, vbuf;
  const double gproj;
  const bool useBlas;
};

FloatArg GetVector(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int64_t count, const std::string& shape) {
  FloatArg a = GetFloat64Array(info, i, fn, name);
  RequireExactly(info.Env(), fn, name, a, count, shape);
  return a;
}

// Arguments: V (n x dp), n, d, dp, y (Int8Array, n), gamma, M (dp x dp), lambda (n), xi (n),
// maxIter, tol. Updates M, lambda and xi in place; returns { nIter, converged, history }.
Napi::Value ItmlBregmanExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "itmlBregman";
  const int64_t n = GetDim(info, 1, fn, "n");
  const int64_t d = GetDim(info, 2, fn, "d");
  const int64_t dp = GetDim(info, 3, fn, "dp");
  if (n < 1 || d < 1) ThrowRange(env, std::string(fn) + ": n and d must be positive integers, got " + std::to_string(n) + " and " + std::to_string(d));
  if (dp != ((d + 3) & ~int64_t{3})) ThrowRange(env, std::string(fn) + ": dp must be d rounded up to a multiple of 4 (" + std::to_string((d + 3) & ~int64_t{3}) + "), got " + std::to_string(dp));
  Itml P;
  P.n = n;
  P.d = d;
  P.dp = dp;
  P.V = GetVector(info, 0, fn, "V", CheckedProduct(env, fn, n, dp), "a Float64Array of " + std::to_string(n) + " x " + std::to_string(dp) + " values").as<double>();
  if (info.Length() <= 4 || !info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_int8_array)
    throw Napi::RangeError::New(env, std::string(fn) + ": y must be an Int8Array of " + std::to_string(n) + " labels (+1 or -1)");
  Napi::Int8Array yArr = info[4].As<Napi::Int8Array>();
  if (static_cast<int64_t>(yArr.ElementLength()) != n) ThrowRange(env, std::string(fn) + ": y must be an Int8Array of " + std::to_string(n) + " labels (+1 or -1)");
  P.y = yArr.Data();
  for (int64_t c = 0; c < n; c++)
    if (P.y[c] != 1 && P.y[c] != -1) ThrowRange(env, std::string(fn) + ": y[" + std::to_string(c) + "] is " + std::to_string(P.y[c]) + "; labels must be +1 or -1");
  P.gamma = GetNumber(info, 5, fn, "gamma");
  if (!(P.gamma > 0) || !std::isfinite(P.gamma)) ThrowRange(env, std::string(fn) + ": gamma must be a positive finite number");
  P.M = GetVector(info, 6, fn, "M", dp * dp, "a Float64Array of " + std::to_string(dp) + " x " + std::to_string(dp) + " values").as<double>();
  P.lambda = GetVector(info, 7, fn, "lambda", n, "a Float64Array of " + std::to_string(n) + " values").as<double>();
  P.xi = GetVector(info, 8, fn, "xi", n, "a Float64Array of " + std::to_string(n) + " values").as<double>();
  const int64_t maxIter = GetDim(info, 9, fn, "maxIter");
  const double tol = GetNumber(info, 10, fn, "tol");
  if (!(tol >= 0)) ThrowRange(env, std::string(fn) + ": tol must be non-negative");

  Projector proj(P);
  std::vector<double> lambdaOld(P.lambda, P.lambda + n);
  std::vector<int32_t> active(static_cast<size_t>(n));
  std::vector<double> history;
  constexpr int kInnerPasses = 3;
  int64_t it = 0;
  bool converged = false;
  while (it < maxIter) {
    it++;
    for (int64_t c = 0; c < n; c++) proj.Project(c);
    double num = 0, den = 0;
    int64_t nActive = 0;
    for (int64_t c = 0; c < n; c++) {
      num += std::fabs(P.lambda[c] - lambdaOld[c]);
      den += std::fabs(P.lambda[c]) + std::fabs(lambdaOld[c]);
      lambdaOld[c] = P.lambda[c];
      if (P.lambda[c] > 0) active[nActive++] = static_cast<int32_t>(c);
    }
    const double conv = den == 0 ? 0 : num / den;
    history.push_back(conv);
    if (conv < tol) {
      converged = true;
      break;
    }
    for (int r = 0; r < kInnerPasses; r++)
      for (int64_t a = 0; a < nActive; a++) proj.Project(active[a]);
  }
  Napi::Float64Array hist = Napi::Float64Array::New(env, history.size());
  std::copy(history.begin(), history.end(), hist.Data());
  Napi::Object result = Napi::Object::New(env);
  result.Set("nIter", Napi::Number::New(env, static_cast<double>(it)));
  result.Set("converged", Napi::Boolean::New(env, converged));
  result.Set("history", hist);
  return result;
}

}  // namespace

void RegisterItml(Napi::Env env, Napi::Object exports) {
  exports.Set("itmlBregman", MakeFunction(env, "itmlBregman", ItmlBregmanExport));
}

}  // namespace simlearn
