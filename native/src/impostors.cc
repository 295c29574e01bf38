// LMNN's impostor candidates. src/backend/js-impostors.ts is the reference and the
// documentation. The search runs in float32 (OpenBLAS sgemm on augmented rows, block by
// block) with the rounding margin of float32, so the lists may hold a few more borderline
// rows than the float64 reference; the exact distances are the same loop as the reference's,
// so they agree to the bit. In JavaScript the pass over the n² search distances cost more
// than the GEMM that made them.
#include <cblas.h>
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "args.h"
#include "exports.h"
#include "row_scan.h"

namespace simlearn {

namespace {

// Arguments: Z (Float64Array, n x k), n, k, y (Int32Array, n), rows (Int32Array),
// radius2, exactBelow (Float64Array, n). Returns { start, index, dist, minOut }.
Napi::Value ImpostorCandidatesExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "impostorCandidates";
  FloatArg z = GetFloat64Array(info, 0, fn, "Z");
  const int64_t n = GetDim(info, 1, fn, "n");
  const int64_t k = GetDim(info, 2, fn, "k");
  Napi::Int32Array yArr = GetInt32Array(info, 3, fn, "y");
  Napi::Int32Array rowsArr = GetInt32Array(info, 4, fn, "rows");
  FloatArg r2 = GetFloat64Array(info, 5, fn, "radius2");
  FloatArg eb = GetFloat64Array(info, 6, fn, "exactBelow");
  if (n < 1 || k < 1) ThrowRange(env, std::string(fn) + ": n and k must be positive integers");
  RequireAtLeast(env, fn, "Z", z, CheckedProduct(env, fn, n, k), "an " + std::to_string(n) + " x " + std::to_string(k) + " matrix");
  if (static_cast<int64_t>(yArr.ElementLength()) != n) ThrowRange(env, std::string(fn) + ": y has " + std::to_string(yArr.ElementLength()) + " labels, expected " + std::to_string(n));
  if (static_cast<int64_t>(r2.length) != n) ThrowRange(env, std::string(fn) + ": radius2 has " + std::to_string(r2.length) + " entries, expected " + std::to_string(n));
  if (static_cast<int64_t>(eb.length) != n) ThrowRange(env, std::string(fn) + ": exactBelow has " + std::to_string(eb.length) + " entries, expected " + std::to_string(n));
  const int64_t m = static_cast<int64_t>(rowsArr.ElementLength());
  const int32_t* rows = GetIndexArray(info, 4, fn, "rows", m, n).Data();
  const double* Z = z.as<double>();
  const int32_t* y = yArr.Data();
  const double* radius2 = r2.as<double>();
  const double* exactBelow = eb.as<double>();

  const int64_t ka = k + 2;
  const AugmentedRows aug = AugmentRows(Z, n, k);
  const std::vector<float>& A = aug.A;
  const std::vector<float>& B = aug.B;
  const std::vector<double>& nrm = aug.nrm;
  const double maxN = aug.maxN;
  const double errScale = SearchMargin(k);
  // Blocks of about 256 K distances (1 MB): the GEMM is as fast as on the whole matrix, and
  // the scan reads them back from cache. At least 32 rows, so that a large n does not turn
  // the GEMM into matrix-vector products.
  const int64_t block = std::min<int64_t>(m, std::max<int64_t>(32, 262144 / n));
  static thread_local Scratch<float> qBuf, gBuf;
  float* const Q = qBuf.Get(static_cast<size_t>(block * ka));
  float* const G = gBuf.Get(static_cast<size_t>(block * n));
  Napi::Int32Array startArr = Napi::Int32Array::New(env, static_cast<size_t>(m + 1));
  Napi::Float64Array minOutArr = Napi::Float64Array::New(env, static_cast<size_t>(m));
  int32_t* start = startArr.Data();
  double* minOut = minOutArr.Data();
  std::vector<int32_t> index, rowIndex(static_cast<size_t>(n));
  std::vector<double> dist, rowDist(static_cast<size_t>(n));
  for (int64_t s0 = 0; s0 < m; s0 += block) {
    const int64_t rb = std::min(block, m - s0);
    for (int64_t r = 0; r < rb; r++) std::memcpy(Q + r * ka, A.data() + rows[s0 + r] * ka, sizeof(float) * ka);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rb), static_cast<int>(n), static_cast<int>(ka), 1.0f, Q, static_cast<int>(ka), B.data(), static_cast<int>(ka), 0.0f, G, static_cast<int>(n));
    for (int64_t r = 0; r < rb; r++) {
      const int64_t i = rows[s0 + r];
      const float* g = G + r * n;
      const int32_t yi = y[i];
      const double margin = errScale * (nrm[i] + maxN);
      // Compared in float: a float v is below the double bound exactly when it is below the
      // bound rounded up to the next float, so nothing is lost.
      const float hi = RoundUp(radius2[i] + margin), exactHi = RoundUp(exactBelow[i] + margin);
      const double* zi = Z + i * k;
      start[s0 + r] = static_cast<int32_t>(index.size());
      int64_t cnt = 0;
      const float mo = ScanRow(g, y, n, yi, hi, rowIndex.data(), &cnt);
      for (int64_t q = 0; q < cnt; q++) {
        const int64_t l = rowIndex[q];
        double e = std::numeric_limits<double>::infinity();
        if (g[l] < exactHi) {
          const double* zl = Z + l * k;
          e = 0;
          for (int64_t c = 0; c < k; c++) {
            const double t = zi[c] - zl[c];
            e += t * t;
          }
        }
        rowDist[q] = e;
      }
      index.insert(index.end(), rowIndex.begin(), rowIndex.begin() + cnt);
      dist.insert(dist.end(), rowDist.begin(), rowDist.begin() + cnt);
      minOut[s0 + r] = std::max(0.0, static_cast<double>(mo) - margin);
    }
  }
  if (index.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) ThrowRange(env, std::string(fn) + ": more than 2^31 candidates; lower the radii");
  start[m] = static_cast<int32_t>(index.size());
  Napi::Int32Array indexArr = Napi::Int32Array::New(env, index.size());
  Napi::Float64Array distArr = Napi::Float64Array::New(env, dist.size());
  if (!index.empty()) {
    std::memcpy(indexArr.Data(), index.data(), sizeof(int32_t) * index.size());
    std::memcpy(distArr.Data(), dist.data(), sizeof(double) * dist.size());
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("start", startArr);
  result.Set("index", indexArr);
  result.Set("dist", distArr);
  result.Set("minOut", minOutArr);
  return result;
}

}  // namespace

void RegisterImpostors(Napi::Env env, Napi::Object exports) {
  exports.Set("impostorCandidates", MakeFunction(env, "impostorCandidates", ImpostorCandidatesExport));
}

}  // namespace simlearn
