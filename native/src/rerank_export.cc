// knnCandidates export: argument checks for RerankCandidates (rerank.h). Every candidate and
// offset is checked before any row is read: a bad index must be a RangeError, never a stray read.
#include <napi.h>

#include <string>

#include "args.h"
#include "calls.h"
#include "exports.h"
#include "rerank.h"

namespace simlearn {

namespace {

// Arguments: queries, nq, refs, nr, d, candidates, candStart, k, metric ("sqeuclidean" | "dot").
Napi::Value KnnCandidatesExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "knnCandidates";
  FloatArg queries = GetFloatArray(info, 0, fn, "queries");
  const int64_t nq = GetDim(info, 1, fn, "nq");
  FloatArg refs = GetFloatArray(info, 2, fn, "refs");
  const int64_t nr = GetDim(info, 3, fn, "nr");
  const int64_t d = GetDim(info, 4, fn, "d");
  Napi::Int32Array cand = GetInt32Array(info, 5, fn, "candidates");
  Napi::Int32Array start = GetInt32Array(info, 6, fn, "candStart");
  const int64_t k = GetDim(info, 7, fn, "k");
  if (info.Length() <= 8 || !info[8].IsString()) throw Napi::TypeError::New(env, "knnCandidates: metric must be 'sqeuclidean' or 'dot'");
  const std::string metricName = info[8].As<Napi::String>().Utf8Value();
  RerankMetric metric;
  if (metricName == "sqeuclidean") metric = RerankMetric::SqEuclidean;
  else if (metricName == "dot") metric = RerankMetric::NegDot;
  else ThrowRange(env, "knnCandidates: metric must be 'sqeuclidean' or 'dot', got '" + metricName + "'");
  RequireSameType(env, fn, "queries", queries, "refs", refs);
  RequireAtLeast(env, fn, "queries", queries, CheckedProduct(env, fn, nq, d), "an " + std::to_string(nq) + " x " + std::to_string(d) + " matrix");
  RequireAtLeast(env, fn, "refs", refs, CheckedProduct(env, fn, nr, d), "an " + std::to_string(nr) + " x " + std::to_string(d) + " matrix");
  if (start.ElementLength() < static_cast<size_t>(nq) + 1) {
    ThrowRange(env, "knnCandidates: candStart needs nq + 1 = " + std::to_string(nq + 1) + " offsets, got " + std::to_string(start.ElementLength()));
  }
  const int32_t* st = start.Data();
  const int32_t* cd = cand.Data();
  const int64_t nc = static_cast<int64_t>(cand.ElementLength());
  if (st[0] < 0) ThrowRange(env, "knnCandidates: candStart[0] must be >= 0, got " + std::to_string(st[0]));
  for (int64_t q = 0; q < nq; q++) {
    if (st[q + 1] < st[q]) ThrowRange(env, "knnCandidates: candStart must be non-decreasing, but candStart[" + std::to_string(q + 1) + "] = " + std::to_string(st[q + 1]) + " < candStart[" + std::to_string(q) + "] = " + std::to_string(st[q]));
  }
  if (st[nq] > nc) ThrowRange(env, "knnCandidates: candStart[nq] = " + std::to_string(st[nq]) + " exceeds the " + std::to_string(nc) + " candidates");
  for (int64_t c = st[0]; c < st[nq]; c++) {
    if (cd[c] < 0 || cd[c] >= nr) ThrowRange(env, "knnCandidates: candidates[" + std::to_string(c) + "] = " + std::to_string(cd[c]) + " is not a row of refs (0 .. " + std::to_string(nr - 1) + ")");
  }
  const int64_t total = CheckedProduct(env, fn, nq, k);
  Napi::Int32Array indices = Napi::Int32Array::New(env, static_cast<size_t>(total));
  void* dist = nullptr;
  Napi::TypedArray distances = NewFloatArray(env, queries.dtype, static_cast<size_t>(total), &dist);
  int64_t scored;
  if (queries.dtype == DType::F32)
    scored = RerankCandidates<float>(queries.as<float>(), nq, refs.as<float>(), d, cd, st, k, metric, indices.Data(), static_cast<float*>(dist));
  else
    scored = RerankCandidates<double>(queries.as<double>(), nq, refs.as<double>(), d, cd, st, k, metric, indices.Data(), static_cast<double*>(dist));
  Napi::Object result = Napi::Object::New(env);
  result.Set("indices", indices);
  result.Set("distances", distances);
  result.Set("scored", Napi::Number::New(env, static_cast<double>(scored)));
  return result;
}

Napi::Value RerankIsaExport(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), RerankIsa()); }

}  // namespace

void RegisterRerank(Napi::Env env, Napi::Object exports) {
  exports.Set("knnCandidates", MakeFunction(env, "knnCandidates", KnnCandidatesExport));
  exports.Set("rerankIsa", MakeFunction(env, "rerankIsa", RerankIsaExport));
}

}  // namespace simlearn
