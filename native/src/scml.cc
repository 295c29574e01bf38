// SCML's two hot loops: chunks of its regularised dual averaging over mini-batches of triplets
// (Shi, Bellet & Sha, AAAI 2014; RDA: Xiao 2010) and the hinge sum of its objective.
// src/backend/js-scml.ts is the reference and the documentation. Every sum here runs over the
// same terms in the same order as there, with no reassociation (no -ffast-math, and no FMA at
// -march=x86-64-v2), and the triplet draws are the same xoshiro128** stream (xoshiro.h), so
// both backends give the same bits. Only work that no sum depends on is reordered: a batch's
// draws are taken before its slacks, and independent sums (the slacks of four triplets, the
// products of four pairs) run side by side. In JavaScript these loops took about half of a
// digits fit, most of it waiting on the scattered reads of XB one sum at a time.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "args.h"
#include "exports.h"
#include "xoshiro.h"

namespace simlearn {

namespace {

// 1 + Σ_r (u² − v²) w_i over the active i = act[r] for G triplets at once, u = a − p and
// v = a − q from their rows of XB: each triplet's sum runs in the reference's order, but the
// G chains are independent, so the adds overlap instead of waiting on each other and the
// scattered row reads are in flight together.
template <int G>
void Slacks(const double* const* rows, const double* w, const int32_t* act, int64_t nAct, double* slack) {
  double s[G];
  for (int k = 0; k < G; k++) s[k] = 1;
  for (int64_t r = 0; r < nAct; r++) {
    const int32_t i = act[r];
    const double wi = w[i];
    for (int k = 0; k < G; k++) {
      const double a = rows[3 * k][i];
      const double u = a - rows[3 * k + 1][i], v = a - rows[3 * k + 2][i];
      s[k] += (u * u - v * v) * wi;
    }
  }
  for (int k = 0; k < G; k++) slack[k] = s[k];
}

// Triplets drawn and scored at once: the batch in blocks of this many keeps the scratch small
// whatever the batch size (the blocks change nothing: the draws depend on nothing else).
constexpr int64_t kBlock = 64;

// Adds to g the δ_t of the mini-batch's triplets that violate the margin under w (whose
// nonzero entries are act[0..nAct)); true when there was one. Reference: batchSubgradient,
// with a block's draws taken first (nothing else draws in between, so the stream is the same)
// and the slacks four triplets at a time; the δ rows are added in the reference's order.
bool BatchSubgradient(Xoshiro128& rng, const int32_t* T, uint64_t nT, const double* XB, int64_t K, const double* w, const int32_t* act, int64_t nAct, int64_t batch, double* g) {
  const double* rows[3 * kBlock];
  double slack[kBlock];
  bool any = false;
  for (int64_t b0 = 0; b0 < batch; b0 += kBlock) {
    const int64_t nb = std::min(kBlock, batch - b0);
    for (int64_t b = 0; b < nb; b++) {
      const uint64_t t = rng.Int(nT);
      for (int s = 0; s < 3; s++) rows[3 * b + s] = XB + static_cast<int64_t>(T[3 * t + s]) * K;
    }
    int64_t b = 0;
    for (; b + 4 <= nb; b += 4) Slacks<4>(&rows[3 * b], w, act, nAct, &slack[b]);
    for (; b + 2 <= nb; b += 2) Slacks<2>(&rows[3 * b], w, act, nAct, &slack[b]);
    for (; b < nb; b++) Slacks<1>(&rows[3 * b], w, act, nAct, &slack[b]);
    for (b = 0; b < nb; b++) {
      if (slack[b] > 0) {
        any = true;
        const double* xa = rows[3 * b];
        const double* xp = rows[3 * b + 1];
        const double* xq = rows[3 * b + 2];
        for (int64_t i = 0; i < K; i++) {
          const double u = xa[i] - xp[i], v = xa[i] - xq[i];
          g[i] += u * u - v * v;
        }
      }
    }
  }
  return any;
}

// The RDA/AdaGrad step after a nonzero mini-batch subgradient; returns the new active count.
// Reference: rdaStep.
int64_t RdaStep(const double* g, double invBatch, double* sum, double* ada2, double* coef, double* w, int32_t* act, int64_t K, double kb, double gamma, double delta) {
  int64_t nAct = 0;
  for (int64_t i = 0; i < K; i++) {
    const double gi = g[i] * invBatch;
    if (gi != 0) {
      sum[i] += gi;
      ada2[i] += gi * gi;
      coef[i] = 1 / (gamma * (delta + std::sqrt(ada2[i])));
    }
    const double z = sum[i] + kb;
    if (z < 0) {
      w[i] = -z * coef[i];
      act[nAct++] = static_cast<int32_t>(i);
    } else {
      w[i] = 0;
    }
  }
  return nAct;
}

// The step after a zero subgradient: only the active weights change. Reference: refreshActive.
void RefreshActive(const double* sum, const double* coef, double* w, const int32_t* act, int64_t nAct, double kb) {
  for (int64_t r = 0; r < nAct; r++) {
    const int32_t i = act[r];
    const double z = sum[i] + kb;
    w[i] = z < 0 ? -z * coef[i] : 0;
  }
}

// a·b summed from c = 0 up, as the reference's loops do.
double Dot(const double* a, const double* b, int64_t d) {
  double s = 0;
  for (int64_t c = 0; c < d; c++) s += a[c] * b[c];
  return s;
}

// Four Dots at once: the same sums, as four independent chains, so the adds overlap.
void Dots4(const double* const* a, const double* const* b, int64_t d, double* out) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (int64_t c = 0; c < d; c++) {
    s0 += a[0][c] * b[0][c];
    s1 += a[1][c] * b[1][c];
    s2 += a[2][c] * b[2][c];
    s3 += a[3][c] * b[3][c];
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

// Iterations [from, to) of the dual averaging. Reference: iterate in js-scml.ts. Built twice,
// and the AVX2 build picked at run time: the passes over all K weights (a violated triplet's
// δ row, the RDA step) then take four doubles at a time, with a thousand bases or more most of
// a fit. Only element-wise work is vectorised (no FMA: avx2 does not imply it, and no sum is
// reassociated), so both builds give the reference's bits.
__attribute__((target_clones("avx2", "default"))) void RdaIterations(Xoshiro128& rng, const int32_t* T, uint64_t nT, const double* XB, int64_t K, int64_t batch, double invBatch, double beta, double gamma, double delta, double* w, double* sum, double* ada2, double* coef, double* g, int32_t* act, int64_t& nAct, bool& dirty, int64_t from, int64_t to) {
  for (int64_t it = from; it < to; it++) {
    if (dirty) std::fill(g, g + K, 0.0);
    const bool any = BatchSubgradient(rng, T, nT, XB, K, w, act, nAct, batch, g);
    dirty = any;
    const double kb = static_cast<double>(it + 1) * beta;
    if (any) {
      nAct = RdaStep(g, invBatch, sum, ada2, coef, w, act, K, kb, gamma, delta);
    } else {
      RefreshActive(sum, coef, w, act, nAct, kb);
    }
  }
}

std::string Str(int64_t v) { return std::to_string(v); }

FloatArg GetVector(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int64_t K) {
  FloatArg a = GetFloat64Array(info, i, fn, name);
  if (static_cast<int64_t>(a.length) != K) ThrowRange(info.Env(), std::string(fn) + ": " + name + " has " + Str(static_cast<int64_t>(a.length)) + " entries, expected K = " + Str(K));
  return a;
}

void RequireRows(Napi::Env env, const char* fn, const char* name, const int32_t* idx, int64_t count, int64_t N, const char* what) {
  for (int64_t t = 0; t < count; t++) {
    if (idx[t] < 0 || idx[t] >= N) ThrowRange(env, std::string(fn) + ": " + name + "[" + Str(t) + "] = " + Str(idx[t]) + " is not " + what + " (0 .. " + Str(N - 1) + ")");
  }
}

// Arguments: T (Int32Array), XB (Float64Array, n x K), n, K, batch, beta, gamma, delta, then
// the state w, sum, ada2, coef, g (Float64Array, K), act (Int32Array, K), nAct, dirty,
// rng (Uint32Array, 4), then from, to. Updates the state arrays and rng in place; returns
// { nAct, dirty }.
Napi::Value ScmlRdaExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "scmlRdaIterations";
  Napi::Int32Array tArr = GetInt32Array(info, 0, fn, "T");
  FloatArg xb = GetFloat64Array(info, 1, fn, "XB");
  const int64_t n = GetDim(info, 2, fn, "n");
  const int64_t K = GetDim(info, 3, fn, "K");
  const int64_t batch = GetDim(info, 4, fn, "batch");
  const double beta = GetNumber(info, 5, fn, "beta");
  const double gamma = GetNumber(info, 6, fn, "gamma");
  const double delta = GetNumber(info, 7, fn, "delta");
  if (n < 1) ThrowRange(env, std::string(fn) + ": n must be at least 1, got " + Str(n));
  if (K < 1) ThrowRange(env, std::string(fn) + ": K must be at least 1, got " + Str(K));
  if (batch < 1) ThrowRange(env, std::string(fn) + ": batch must be at least 1, got " + Str(batch));
  if (!(beta >= 0) || !std::isfinite(beta)) ThrowRange(env, std::string(fn) + ": beta must be a finite number >= 0, got " + std::to_string(beta));
  if (!(gamma > 0) || !std::isfinite(gamma)) ThrowRange(env, std::string(fn) + ": gamma must be a finite positive number, got " + std::to_string(gamma));
  if (!(delta > 0) || !std::isfinite(delta)) ThrowRange(env, std::string(fn) + ": delta must be a finite positive number, got " + std::to_string(delta));
  RequireAtLeast(env, fn, "XB", xb, CheckedProduct(env, fn, n, K), "an " + Str(n) + " x " + Str(K) + " matrix");
  const int64_t nIdx = static_cast<int64_t>(tArr.ElementLength());
  if (nIdx == 0 || nIdx % 3 != 0) ThrowRange(env, std::string(fn) + ": T must hold triplets (a positive multiple of 3 indices), got " + Str(nIdx) + " indices");
  const int32_t* T = tArr.Data();
  RequireRows(env, fn, "T", T, nIdx, n, "a row");
  double* w = GetVector(info, 8, fn, "w", K).as<double>();
  double* sum = GetVector(info, 9, fn, "sum", K).as<double>();
  double* ada2 = GetVector(info, 10, fn, "ada2", K).as<double>();
  double* coef = GetVector(info, 11, fn, "coef", K).as<double>();
  double* g = GetVector(info, 12, fn, "g", K).as<double>();
  Napi::Int32Array actArr = GetInt32Array(info, 13, fn, "act");
  if (static_cast<int64_t>(actArr.ElementLength()) != K) ThrowRange(env, std::string(fn) + ": act has " + Str(static_cast<int64_t>(actArr.ElementLength())) + " entries, expected K = " + Str(K));
  int64_t nAct = GetDim(info, 14, fn, "nAct");
  if (nAct > K) ThrowRange(env, std::string(fn) + ": nAct must be an integer from 0 to K = " + Str(K) + ", got " + Str(nAct));
  int32_t* act = actArr.Data();
  RequireRows(env, fn, "act", act, nAct, K, "a basis");
  bool dirty = GetBool(info, 15, fn, "dirty");
  if (info.Length() <= 16 || !info[16].IsTypedArray() || info[16].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    throw Napi::TypeError::New(env, std::string(fn) + ": rng must be a Uint32Array");
  }
  Napi::Uint32Array rngArr = info[16].As<Napi::Uint32Array>();
  if (rngArr.ElementLength() != 4) ThrowRange(env, std::string(fn) + ": rng must hold the 4 xoshiro128** state words, got " + Str(static_cast<int64_t>(rngArr.ElementLength())));
  uint32_t* words = rngArr.Data();
  if ((words[0] | words[1] | words[2] | words[3]) == 0) ThrowRange(env, std::string(fn) + ": rng must not be all zero (xoshiro128** would stay at zero)");
  const int64_t from = GetDim(info, 17, fn, "from");
  const int64_t to = GetDim(info, 18, fn, "to");
  if (to < from) ThrowRange(env, std::string(fn) + ": to (" + Str(to) + ") must be at least from (" + Str(from) + ")");

  const double* XB = xb.as<double>();
  const uint64_t nT = static_cast<uint64_t>(nIdx / 3);
  const double invBatch = 1.0 / static_cast<double>(batch);
  Xoshiro128 rng(words);
  RdaIterations(rng, T, nT, XB, K, batch, invBatch, beta, gamma, delta, w, sum, ada2, coef, g, act, nAct, dirty, from, to);
  rng.Save(words);
  Napi::Object result = Napi::Object::New(env);
  result.Set("nAct", Napi::Number::New(env, static_cast<double>(nAct)));
  result.Set("dirty", Napi::Boolean::New(env, dirty));
  return result;
}

// Arguments: X, XM (Float64Array, n x d), n, d, pairA, pairB (Int32Array, same length),
// ids (Int32Array, 2 per triplet). Returns the hinge sum. Reference: tripletHingeSum.
Napi::Value TripletHingeSumExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "tripletHingeSum";
  FloatArg xArg = GetFloat64Array(info, 0, fn, "X");
  FloatArg xmArg = GetFloat64Array(info, 1, fn, "XM");
  const int64_t n = GetDim(info, 2, fn, "n");
  const int64_t d = GetDim(info, 3, fn, "d");
  if (n < 1) ThrowRange(env, std::string(fn) + ": n must be at least 1, got " + Str(n));
  if (d < 1) ThrowRange(env, std::string(fn) + ": d must be at least 1, got " + Str(d));
  const std::string shape = "an " + Str(n) + " x " + Str(d) + " matrix";
  RequireAtLeast(env, fn, "X", xArg, CheckedProduct(env, fn, n, d), shape);
  RequireAtLeast(env, fn, "XM", xmArg, CheckedProduct(env, fn, n, d), shape);
  Napi::Int32Array aArr = GetInt32Array(info, 4, fn, "pairA");
  Napi::Int32Array bArr = GetInt32Array(info, 5, fn, "pairB");
  Napi::Int32Array idsArr = GetInt32Array(info, 6, fn, "ids");
  const int64_t np = static_cast<int64_t>(aArr.ElementLength());
  const int32_t* pairA = aArr.Data();
  const int32_t* pairB = bArr.Data();
  const int32_t* ids = idsArr.Data();
  RequireRows(env, fn, "pairA", pairA, np, n, "a row");
  RequireRows(env, fn, "pairB", pairB, static_cast<int64_t>(bArr.ElementLength()), n, "a row");
  if (static_cast<int64_t>(bArr.ElementLength()) != np) ThrowRange(env, std::string(fn) + ": pairB has " + Str(static_cast<int64_t>(bArr.ElementLength())) + " entries, expected " + Str(np) + " (as pairA)");
  const int64_t nIds = static_cast<int64_t>(idsArr.ElementLength());
  if (nIds % 2 != 0) ThrowRange(env, std::string(fn) + ": ids must hold 2 pair ids per triplet, got " + Str(nIds) + " entries");
  RequireRows(env, fn, "ids", ids, nIds, np, "a pair");

  const double* X = xArg.as<double>();
  const double* XM = xmArg.as<double>();
  // Products four at a time (Dots4): each in the reference's order, the chains side by side.
  std::vector<double> self(static_cast<size_t>(n));
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const double* a[4] = {XM + i * d, XM + (i + 1) * d, XM + (i + 2) * d, XM + (i + 3) * d};
    const double* b[4] = {X + i * d, X + (i + 1) * d, X + (i + 2) * d, X + (i + 3) * d};
    Dots4(a, b, d, &self[i]);
  }
  for (; i < n; i++) self[i] = Dot(XM + i * d, X + i * d, d);
  std::vector<double> dist(static_cast<size_t>(np));
  int64_t k = 0;
  for (; k + 4 <= np; k += 4) {
    const double* a[4];
    const double* b[4];
    for (int q = 0; q < 4; q++) {
      a[q] = XM + static_cast<int64_t>(pairA[k + q]) * d;
      b[q] = X + static_cast<int64_t>(pairB[k + q]) * d;
    }
    double s[4];
    Dots4(a, b, d, s);
    for (int q = 0; q < 4; q++) dist[k + q] = self[pairA[k + q]] + self[pairB[k + q]] - 2 * s[q];
  }
  for (; k < np; k++) {
    const int64_t ia = pairA[k], ib = pairB[k];
    dist[k] = self[ia] + self[ib] - 2 * Dot(XM + ia * d, X + ib * d, d);
  }
  const int64_t nT = nIds / 2;
  double loss = 0;
  for (int64_t t = 0; t < nT; t++) {
    const double v = 1 + dist[ids[2 * t]] - dist[ids[2 * t + 1]];
    if (v > 0) loss += v;
  }
  return Napi::Number::New(env, loss);
}

}  // namespace

void RegisterScml(Napi::Env env, Napi::Object exports) {
  exports.Set("scmlRdaIterations", MakeFunction(env, "scmlRdaIterations", ScmlRdaExport));
  exports.Set("tripletHingeSum", MakeFunction(env, "tripletHingeSum", TripletHingeSumExport));
}

}  // namespace simlearn
