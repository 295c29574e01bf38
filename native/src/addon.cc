// Module entry: BLAS identity and threading, plus the registration of every kernel.
#include <cblas.h>
#include <napi.h>

#include <string>

#include "args.h"
#include "dot_tile.h"
#include "exports.h"
#include "scan.h"

namespace simlearn {

namespace {

Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  // e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"; the
  // LAPACKE used here comes from the separate liblapacke package.
  return Napi::String::New(info.Env(), std::string(openblas_get_config()));
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t n = GetDim(info, 0, "setThreads", "n");
  if (n < 1 || n > 1024) ThrowRange(env, "setThreads: n must be an integer from 1 to 1024, got " + std::to_string(n));
  openblas_set_num_threads(static_cast<int>(n));
  return env.Undefined();
}

Napi::Value CpuCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), openblas_get_num_procs());
}

// The vector instruction set of the k-NN scan (see scan.h).
Napi::Value KnnIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ScanIsa());
}

// What computes the float32 k-NN distance tiles (see dot_tile.h).
Napi::Value KnnTileIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), DotTileIsa());
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // One BLAS thread unless asked otherwise: simlearn usually runs beside other work, and
  // OpenBLAS's default (every core) oversubscribes on small shared machines.
  openblas_set_num_threads(1);
  exports.Set("blasInfo", MakeFunction(env, "blasInfo", BlasInfo));
  exports.Set("getThreads", MakeFunction(env, "getThreads", GetThreads));
  exports.Set("setThreads", MakeFunction(env, "setThreads", SetThreads));
  exports.Set("cpuCount", MakeFunction(env, "cpuCount", CpuCount));
  exports.Set("knnIsa", MakeFunction(env, "knnIsa", KnnIsa));
  exports.Set("knnTileIsa", MakeFunction(env, "knnTileIsa", KnnTileIsa));
  RegisterKernels(env, exports);
  RegisterLinalg(env, exports);
  RegisterAsync(env, exports);
  RegisterRerank(env, exports);
  RegisterGlasso(env, exports);
  RegisterPairs(env, exports);
  RegisterSoftmax(env, exports);
  RegisterImpostors(env, exports);
  RegisterLsml(env, exports);
  RegisterAffinity(env, exports);
  RegisterScml(env, exports);
  RegisterSamplePairs(env, exports);
  RegisterItml(env, exports);
  return exports;
}

}  // namespace simlearn

// The macro pastes the function name into an identifier, so it needs an unqualified name.
static Napi::Object InitSimlearn(Napi::Env env, Napi::Object exports) { return simlearn::Init(env, exports); }

NODE_API_MODULE(simlearn_native, InitSimlearn)
