// Products over pairs of rows of one point set (src/backend/js-pairs.ts is the reference and
// the documentation; the loops are the same statement for statement, so both backends give
// the same bits). They are O(n d) passes that LSML and SDML make on every iteration; in
// JavaScript they cost more than the GEMMs around them.
#include <napi.h>

#include <string>

#include "args.h"
#include "exports.h"
#include "pair_loops.h"

namespace simlearn {

namespace {

// Arguments: X, Y (Float64Array, N x d), N, d, first, second (Int32Array, n), out (Float64Array, n).
Napi::Value PairQuadFormsExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "pairQuadForms";
  FloatArg x = GetFloat64Array(info, 0, fn, "X");
  FloatArg y = GetFloat64Array(info, 1, fn, "Y");
  const int64_t N = GetDim(info, 2, fn, "N");
  const int64_t d = GetDim(info, 3, fn, "d");
  FloatArg out = GetFloat64Array(info, 6, fn, "out");
  const int64_t n = static_cast<int64_t>(out.length);
  const std::string shape = "an " + std::to_string(N) + " x " + std::to_string(d) + " matrix";
  RequireAtLeast(env, fn, "X", x, CheckedProduct(env, fn, N, d), shape);
  RequireAtLeast(env, fn, "Y", y, CheckedProduct(env, fn, N, d), shape);
  const int32_t* first = GetIndexArray(info, 4, fn, "first", n, N).Data();
  const int32_t* second = GetIndexArray(info, 5, fn, "second", n, N).Data();
  const double* X = x.as<double>();
  const double* Y = y.as<double>();
  double* q = out.as<double>();
  PairQuadForms(X, Y, d, first, second, n, q);
  return env.Undefined();
}

// Arguments: Z (Float64Array, N x d, updated), X (Float64Array, N x d), N, d, first, second
// (Int32Array, n), w (Float64Array, n).
Napi::Value AddPairLaplacianExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "addPairLaplacian";
  FloatArg z = GetFloat64Array(info, 0, fn, "Z");
  FloatArg x = GetFloat64Array(info, 1, fn, "X");
  const int64_t N = GetDim(info, 2, fn, "N");
  const int64_t d = GetDim(info, 3, fn, "d");
  FloatArg w = GetFloat64Array(info, 6, fn, "w");
  const int64_t n = static_cast<int64_t>(w.length);
  const std::string shape = "an " + std::to_string(N) + " x " + std::to_string(d) + " matrix";
  RequireAtLeast(env, fn, "Z", z, CheckedProduct(env, fn, N, d), shape);
  RequireAtLeast(env, fn, "X", x, CheckedProduct(env, fn, N, d), shape);
  const int32_t* first = GetIndexArray(info, 4, fn, "first", n, N).Data();
  const int32_t* second = GetIndexArray(info, 5, fn, "second", n, N).Data();
  const double* X = x.as<double>();
  const double* W = w.as<double>();
  double* Z = z.as<double>();
  AddPairLaplacian(Z, X, d, first, second, W, n);
  return env.Undefined();
}

}  // namespace

void RegisterPairs(Napi::Env env, Napi::Object exports) {
  exports.Set("pairQuadForms", MakeFunction(env, "pairQuadForms", PairQuadFormsExport));
  exports.Set("addPairLaplacian", MakeFunction(env, "addPairLaplacian", AddPairLaplacianExport));
}

}  // namespace simlearn
