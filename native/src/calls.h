// Checked argument bundles for the calls that exist both synchronously and as async workers.
#pragma once

#include <napi.h>

#include "args.h"
#include "knn.h"

namespace simlearn {

struct GemmCall {
  bool transA, transB;
  int64_t m, n, k;
  double alpha, beta;
  FloatArg a, b, c;
  int64_t lda, ldb, ldc;
};

// Arguments in the order of Backend.gemm: transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc.
GemmCall ParseGemm(const Napi::CallbackInfo& info, const char* fn);
void RunGemm(const GemmCall& g);

struct KnnCall {
  FloatArg queries, refs;
  KnnShape shape;
};

// Arguments: queries, nq, refs, nr, d, k, excludeSelf, memoryBudget.
KnnCall ParseKnn(const Napi::CallbackInfo& info, const char* fn);

// A new zero-filled Float32Array or Float64Array and its data pointer.
Napi::TypedArray NewFloatArray(Napi::Env env, DType dtype, size_t length, void** data);

}  // namespace simlearn
