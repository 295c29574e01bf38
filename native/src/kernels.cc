// Level 1-3 kernels, distances and k-NN for Float32Array and Float64Array.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "args.h"
#include "blas.h"
#include "calls.h"
#include "dot_tile.h"
#include "exports.h"
#include "knn.h"

namespace simlearn {

namespace {

std::string Shape(int64_t r, int64_t c) { return std::to_string(r) + " x " + std::to_string(c); }

// Level-1 BLAS takes 32-bit lengths; longer vectors go through in slices.
constexpr int64_t kSlice = INT_MAX / 2;

template <typename T>
void GemvT(bool trans, int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T beta, T* y) {
  const int64_t outLen = trans ? n : m;
  const int64_t inLen = trans ? m : n;
  if (outLen == 0) return;
  if (beta == T(0)) std::fill(y, y + outLen, T(0));
  if (inLen == 0 || alpha == T(0)) {
    if (beta != T(0) && beta != T(1))
      for (int64_t i = 0; i < outLen; i++) y[i] *= beta;
    return;
  }
  Blas<T>::gemv(trans, static_cast<blasint>(m), static_cast<blasint>(n), alpha, a, static_cast<blasint>(lda), x, beta, y);
}

template <typename T>
void GramT(const T* x, int64_t n, int64_t d, T* out) {
  if (n == 0 || d == 0) return;  // out is already zero
  Blas<T>::syrkUpperAtA(static_cast<blasint>(n), static_cast<blasint>(d), x, out);
  for (int64_t i = 0; i < d; i++)
    for (int64_t j = 0; j < i; j++) out[i * d + j] = out[j * d + i];
}

template <typename T>
void SqEuclideanT(const T* a, int64_t n, const T* b, int64_t m, int64_t d, T* out) {
  if (n == 0 || m == 0) return;
  std::vector<T> na(n), nb(m);
  RowSqNorms(a, n, d, na.data());
  RowSqNorms(b, m, d, nb.data());
  if (d > 0) {
    bool done = false;
    if constexpr (std::is_same_v<T, float>) {
      if (DotTileAvailable()) {
        // The k-NN kernel's own tiles, written straight into the output (see dot_tile.h).
        std::vector<float> packed;
        for (int64_t r0 = 0; r0 < m; r0 += 512) {
          const int64_t rc = std::min<int64_t>(512, m - r0);
          const float* panels = PackPanels(b + r0 * d, rc, d, packed);
          for (int64_t q0 = 0; q0 < n; q0 += 256) DotTile(a + q0 * d, std::min<int64_t>(256, n - q0), panels, rc, d, out + q0 * m + r0, m);
        }
        done = true;
      }
    }
    if (!done) Gemm<T>(false, true, n, m, d, T(-2), a, d, b, d, T(0), out, m);
  }
  for (int64_t i = 0; i < n; i++) {
    T* row = out + i * m;
    const T ni = na[i];
    for (int64_t j = 0; j < m; j++) {
      T v = (row[j] + ni) + nb[j];
      row[j] = v < T(0) ? T(0) : v;  // keeps NaN: a NaN input must not become distance 0
    }
  }
}

Napi::Value GemmExport(const Napi::CallbackInfo& info) {
  RunGemm(ParseGemm(info, "gemm"));
  return info.Env().Undefined();
}

Napi::Value GemvExport(const Napi::CallbackInfo& info) {
  const char* fn = "gemv";
  Napi::Env env = info.Env();
  bool trans = GetBool(info, 0, fn, "trans");
  int64_t m = GetDim(info, 1, fn, "m");
  int64_t n = GetDim(info, 2, fn, "n");
  double alpha = GetNumber(info, 3, fn, "alpha");
  FloatArg a = GetFloatArray(info, 4, fn, "a");
  int64_t lda = GetDim(info, 5, fn, "lda");
  FloatArg x = GetFloatArray(info, 6, fn, "x");
  double beta = GetNumber(info, 7, fn, "beta");
  FloatArg y = GetFloatArray(info, 8, fn, "y");
  RequireSameType(env, fn, "a", a, "x", x);
  RequireSameType(env, fn, "a", a, "y", y);
  RequireMatrix(env, fn, "a", a, m, n, lda, "lda");
  RequireAtLeast(env, fn, "x", x, trans ? m : n, std::string("op(a) with ") + std::to_string(trans ? m : n) + " columns");
  RequireAtLeast(env, fn, "y", y, trans ? n : m, std::string("op(a) with ") + std::to_string(trans ? n : m) + " rows");
  if (a.dtype == DType::F32)
    GemvT<float>(trans, m, n, static_cast<float>(alpha), a.as<float>(), lda, x.as<float>(), static_cast<float>(beta), y.as<float>());
  else
    GemvT<double>(trans, m, n, alpha, a.as<double>(), lda, x.as<double>(), beta, y.as<double>());
  return env.Undefined();
}

Napi::Value GramExport(const Napi::CallbackInfo& info) {
  const char* fn = "gram";
  Napi::Env env = info.Env();
  FloatArg x = GetFloatArray(info, 0, fn, "x");
  int64_t n = GetDim(info, 1, fn, "n");
  int64_t d = GetDim(info, 2, fn, "d");
  RequireAtLeast(env, fn, "x", x, CheckedProduct(env, fn, n, d), "an " + Shape(n, d) + " matrix");
  void* data = nullptr;
  Napi::TypedArray out = NewFloatArray(env, x.dtype, static_cast<size_t>(CheckedProduct(env, fn, d, d)), &data);
  if (x.dtype == DType::F32) GramT<float>(x.as<float>(), n, d, static_cast<float*>(data));
  else GramT<double>(x.as<double>(), n, d, static_cast<double*>(data));
  return out;
}

Napi::Value DotExport(const Napi::CallbackInfo& info) {
  const char* fn = "dot";
  Napi::Env env = info.Env();
  FloatArg x = GetFloatArray(info, 0, fn, "x");
  FloatArg y = GetFloatArray(info, 1, fn, "y");
  RequireSameType(env, fn, "x", x, "y", y);
  if (x.length != y.length) ThrowRange(env, "dot: x has length " + std::to_string(x.length) + " but y has " + std::to_string(y.length));
  double s = 0;
  for (size_t i0 = 0; i0 < x.length; i0 += kSlice) {
    blasint len = static_cast<blasint>(std::min<size_t>(kSlice, x.length - i0));
    s += x.dtype == DType::F32 ? Blas<float>::dot(len, x.as<float>() + i0, y.as<float>() + i0)
                               : Blas<double>::dot(len, x.as<double>() + i0, y.as<double>() + i0);
  }
  return Napi::Number::New(env, s);
}

template <typename T>
void AxpyT(double alpha, T* x, T* y, size_t len) {
  if (alpha == 0) {
    // BLAS returns early for alpha = 0; the JS reference still computes y + 0·x, so a NaN
    // or infinity in x reaches y. Keep that behaviour.
    for (size_t i = 0; i < len; i++) y[i] += T(0) * x[i];
    return;
  }
  for (size_t i0 = 0; i0 < len; i0 += kSlice)
    Blas<T>::axpy(static_cast<blasint>(std::min<size_t>(kSlice, len - i0)), static_cast<T>(alpha), x + i0, y + i0);
}

Napi::Value AxpyExport(const Napi::CallbackInfo& info) {
  const char* fn = "axpy";
  Napi::Env env = info.Env();
  double alpha = GetNumber(info, 0, fn, "alpha");
  FloatArg x = GetFloatArray(info, 1, fn, "x");
  FloatArg y = GetFloatArray(info, 2, fn, "y");
  RequireSameType(env, fn, "x", x, "y", y);
  if (x.length != y.length) ThrowRange(env, "axpy: x has length " + std::to_string(x.length) + " but y has " + std::to_string(y.length));
  if (x.dtype == DType::F32) AxpyT<float>(alpha, x.as<float>(), y.as<float>(), x.length);
  else AxpyT<double>(alpha, x.as<double>(), y.as<double>(), x.length);
  return env.Undefined();
}

template <typename T>
void ScalT(T alpha, T* x, size_t len) {
  // A plain loop rather than ?scal: OpenBLAS 0.3.21 turns NaN into 0 when alpha = 0, while
  // IEEE (and the JS reference) keep NaN. The loop vectorises; it is memory bound anyway.
  for (size_t i = 0; i < len; i++) x[i] *= alpha;
}

Napi::Value ScalExport(const Napi::CallbackInfo& info) {
  const char* fn = "scal";
  double alpha = GetNumber(info, 0, fn, "alpha");
  FloatArg x = GetFloatArray(info, 1, fn, "x");
  if (x.dtype == DType::F32) ScalT<float>(static_cast<float>(alpha), x.as<float>(), x.length);
  else ScalT<double>(alpha, x.as<double>(), x.length);
  return info.Env().Undefined();
}

Napi::Value RowSqNormsExport(const Napi::CallbackInfo& info) {
  const char* fn = "rowSqNorms";
  Napi::Env env = info.Env();
  FloatArg x = GetFloatArray(info, 0, fn, "x");
  int64_t n = GetDim(info, 1, fn, "n");
  int64_t d = GetDim(info, 2, fn, "d");
  RequireAtLeast(env, fn, "x", x, CheckedProduct(env, fn, n, d), "an " + Shape(n, d) + " matrix");
  void* data = nullptr;
  Napi::TypedArray out = NewFloatArray(env, x.dtype, static_cast<size_t>(n), &data);
  if (x.dtype == DType::F32) RowSqNorms<float>(x.as<float>(), n, d, static_cast<float*>(data));
  else RowSqNorms<double>(x.as<double>(), n, d, static_cast<double*>(data));
  return out;
}

// One Adam step over a float32 parameter (src/backend/js-kernels.ts adamStep is the reference):
// the same float64 operations in the same order, each rounded once to float32 on store. Built
// without FMA (x86-64-v2), so no multiply-add is fused and the bits match the reference.
Napi::Value AdamStepExport(const Napi::CallbackInfo& info) {
  const char* fn = "adamStep";
  Napi::Env env = info.Env();
  const char* names[4] = {"val", "g", "m", "v"};
  float* p[4];
  size_t n = 0;
  for (int a = 0; a < 4; a++) {
    FloatArg x = GetFloatArray(info, a, fn, names[a]);
    if (x.dtype != DType::F32) ThrowRange(env, std::string(fn) + ": " + names[a] + " must be a Float32Array");
    if (a == 0) n = x.length;
    else if (x.length != n) ThrowRange(env, std::string(fn) + ": value, grad, m and v must have one length, got " + std::to_string(n) + " and " + std::to_string(x.length));
    p[a] = x.as<float>();
  }
  FloatArg c = GetFloat64Array(info, 4, fn, "c");
  if (c.length != 9) ThrowRange(env, std::string(fn) + ": expected 9 coefficients, got " + std::to_string(c.length));
  const double* k = c.as<double>();
  const double b1 = k[0], b2 = k[1], a1 = k[2], a2 = k[3], eps = k[4], stepSize = k[5], invSqrtBc2 = k[6], coupled = k[7], shrink = k[8];
  float* val = p[0];
  const float* g = p[1];
  float* m = p[2];
  float* v = p[3];
  size_t i = 0;
#if defined(__SSE2__)
  // Two elements at a time in packed float64: conversions, products, sums, the square root and
  // the division are each exactly rounded like their scalar forms, so the bits do not change
  // (the scalar loop does not vectorise: std::sqrt keeps its errno path).
  const __m128d B1 = _mm_set1_pd(b1), B2 = _mm_set1_pd(b2), A1 = _mm_set1_pd(a1), A2 = _mm_set1_pd(a2);
  const __m128d EPS = _mm_set1_pd(eps), STEP = _mm_set1_pd(stepSize), INV = _mm_set1_pd(invSqrtBc2);
  const __m128d CPL = _mm_set1_pd(coupled), SHR = _mm_set1_pd(shrink);
  auto load2 = [](const float* q) { return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q)))); };
  auto store2 = [](float* q, __m128d x) { _mm_storel_pi(reinterpret_cast<__m64*>(q), _mm_cvtpd_ps(x)); };
  for (; i + 2 <= n; i += 2) {
    const __m128d x = load2(val + i);
    const __m128d gi = _mm_add_pd(load2(g + i), _mm_mul_pd(CPL, x));
    const __m128d mi = _mm_add_pd(_mm_mul_pd(B1, load2(m + i)), _mm_mul_pd(A1, gi));
    const __m128d vi = _mm_add_pd(_mm_mul_pd(B2, load2(v + i)), _mm_mul_pd(_mm_mul_pd(A2, gi), gi));
    store2(m + i, mi);
    store2(v + i, vi);
    const __m128d den = _mm_add_pd(_mm_mul_pd(_mm_sqrt_pd(vi), INV), EPS);
    store2(val + i, _mm_sub_pd(_mm_mul_pd(x, SHR), _mm_div_pd(_mm_mul_pd(STEP, mi), den)));
  }
#endif
  for (; i < n; i++) {
    const double x = val[i];
    const double gi = static_cast<double>(g[i]) + coupled * x;
    const double mi = b1 * static_cast<double>(m[i]) + a1 * gi;
    const double vi = b2 * static_cast<double>(v[i]) + (a2 * gi) * gi;
    m[i] = static_cast<float>(mi);
    v[i] = static_cast<float>(vi);
    val[i] = static_cast<float>(x * shrink - (stepSize * mi) / (std::sqrt(vi) * invSqrtBc2 + eps));
  }
  return env.Undefined();
}

// Column means of the n x d float64 x, summed in row order then divided by n (the reference's
// order: vectorising across columns keeps each column's order), and x minus them into out
// when given (out may be x itself). Returns the means.
Napi::Value CentreColumnsExport(const Napi::CallbackInfo& info) {
  const char* fn = "centreColumns";
  Napi::Env env = info.Env();
  FloatArg x = GetFloat64Array(info, 0, fn, "x");
  const int64_t n = GetDim(info, 1, fn, "n");
  const int64_t d = GetDim(info, 2, fn, "d");
  if (n < 1) ThrowRange(env, std::string(fn) + ": n must be at least 1 (the mean of no rows is undefined)");
  const int64_t nd = CheckedProduct(env, fn, n, d);
  RequireAtLeast(env, fn, "x", x, nd, "an " + Shape(n, d) + " matrix");
  double* out = nullptr;
  if (info.Length() > 3 && !info[3].IsNull() && !info[3].IsUndefined()) {
    FloatArg o = GetFloat64Array(info, 3, fn, "out");
    RequireAtLeast(env, fn, "out", o, nd, "an " + Shape(n, d) + " matrix");
    out = o.as<double>();
  }
  Napi::Float64Array meanArr = Napi::Float64Array::New(env, static_cast<size_t>(d));
  double* mean = meanArr.Data();
  std::fill(mean, mean + d, 0.0);
  const double* X = x.as<double>();
  for (int64_t i = 0; i < n; i++) {
    const double* row = X + i * d;
    for (int64_t j = 0; j < d; j++) mean[j] += row[j];
  }
  for (int64_t j = 0; j < d; j++) mean[j] /= static_cast<double>(n);
  if (out != nullptr)
    for (int64_t i = 0; i < n; i++) {
      const double* row = X + i * d;
      double* o = out + i * d;
      for (int64_t j = 0; j < d; j++) o[j] = row[j] - mean[j];
    }
  return meanArr;
}

// Squared distances of all pairs i < j in condensed order, each summed over the columns in
// order (the reference's bits): rows are swept against the transposed matrix, so the inner
// loop runs across pairs and vectorises without reordering any pair's sum. Built for AVX2
// too; there is no FMA in either build.
__attribute__((target_clones("avx2", "default"))) void CondensedSqDistances(const double* x, int64_t m, int64_t d, double* out) {
  std::vector<double> xt(static_cast<size_t>(m * d)), acc(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; i++)
    for (int64_t c = 0; c < d; c++) xt[c * m + i] = x[i * d + c];
  int64_t k = 0;
  for (int64_t i = 0; i < m; i++) {
    double* a = acc.data();
    std::fill(a + i + 1, a + m, 0.0);
    for (int64_t c = 0; c < d; c++) {
      const double xi = x[i * d + c];
      const double* col = xt.data() + c * m;
      for (int64_t j = i + 1; j < m; j++) {
        const double v = xi - col[j];
        a[j] += v * v;
      }
    }
    std::copy(a + i + 1, a + m, out + k);
    k += m - i - 1;
  }
}

Napi::Value CondensedSqDistancesExport(const Napi::CallbackInfo& info) {
  const char* fn = "condensedSqDistances";
  Napi::Env env = info.Env();
  FloatArg x = GetFloat64Array(info, 0, fn, "x");
  const int64_t m = GetDim(info, 1, fn, "m");
  const int64_t d = GetDim(info, 2, fn, "d");
  RequireAtLeast(env, fn, "x", x, CheckedProduct(env, fn, m, d), "an " + Shape(m, d) + " matrix");
  const int64_t pairs = m < 2 ? 0 : CheckedProduct(env, fn, m, m - 1) / 2;
  Napi::Float64Array out = Napi::Float64Array::New(env, static_cast<size_t>(pairs));
  if (pairs > 0) CondensedSqDistances(x.as<double>(), m, d, out.Data());
  return out;
}

Napi::Value SqEuclideanExport(const Napi::CallbackInfo& info) {
  const char* fn = "sqeuclidean";
  Napi::Env env = info.Env();
  FloatArg a = GetFloatArray(info, 0, fn, "a");
  int64_t n = GetDim(info, 1, fn, "n");
  FloatArg b = GetFloatArray(info, 2, fn, "b");
  int64_t m = GetDim(info, 3, fn, "m");
  int64_t d = GetDim(info, 4, fn, "d");
  RequireSameType(env, fn, "a", a, "b", b);
  RequireAtLeast(env, fn, "a", a, CheckedProduct(env, fn, n, d), "an " + Shape(n, d) + " matrix");
  RequireAtLeast(env, fn, "b", b, CheckedProduct(env, fn, m, d), "an " + Shape(m, d) + " matrix");
  void* data = nullptr;
  Napi::TypedArray out = NewFloatArray(env, a.dtype, static_cast<size_t>(CheckedProduct(env, fn, n, m)), &data);
  if (a.dtype == DType::F32) SqEuclideanT<float>(a.as<float>(), n, b.as<float>(), m, d, static_cast<float*>(data));
  else SqEuclideanT<double>(a.as<double>(), n, b.as<double>(), m, d, static_cast<double*>(data));
  return out;
}

Napi::Value KnnExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KnnCall call = ParseKnn(info, "knn");
  const KnnShape& s = call.shape;
  const size_t total = static_cast<size_t>(s.nq * s.k);
  Napi::Int32Array indices = Napi::Int32Array::New(env, total);
  void* dist = nullptr;
  Napi::TypedArray distances = NewFloatArray(env, call.queries.dtype, total, &dist);
  if (call.queries.dtype == DType::F32)
    KnnSearch<float>(call.queries.as<float>(), call.refs.as<float>(), s, indices.Data(), static_cast<float*>(dist));
  else
    KnnSearch<double>(call.queries.as<double>(), call.refs.as<double>(), s, indices.Data(), static_cast<double*>(dist));
  Napi::Object result = Napi::Object::New(env);
  result.Set("indices", indices);
  result.Set("distances", distances);
  return result;
}

}  // namespace

Napi::TypedArray NewFloatArray(Napi::Env env, DType dtype, size_t length, void** data) {
  if (dtype == DType::F32) {
    Napi::Float32Array a = Napi::Float32Array::New(env, length);
    *data = a.Data();
    return a;
  }
  Napi::Float64Array a = Napi::Float64Array::New(env, length);
  *data = a.Data();
  return a;
}

GemmCall ParseGemm(const Napi::CallbackInfo& info, const char* fn) {
  Napi::Env env = info.Env();
  GemmCall g{};
  g.transA = GetBool(info, 0, fn, "transA");
  g.transB = GetBool(info, 1, fn, "transB");
  g.m = GetDim(info, 2, fn, "m");
  g.n = GetDim(info, 3, fn, "n");
  g.k = GetDim(info, 4, fn, "k");
  g.alpha = GetNumber(info, 5, fn, "alpha");
  g.a = GetFloatArray(info, 6, fn, "a");
  g.lda = GetDim(info, 7, fn, "lda");
  g.b = GetFloatArray(info, 8, fn, "b");
  g.ldb = GetDim(info, 9, fn, "ldb");
  g.beta = GetNumber(info, 10, fn, "beta");
  g.c = GetFloatArray(info, 11, fn, "c");
  g.ldc = GetDim(info, 12, fn, "ldc");
  RequireSameType(env, fn, "a", g.a, "b", g.b);
  RequireSameType(env, fn, "a", g.a, "c", g.c);
  // Stored shapes: op(A) is m x k, so A is k x m when transposed; likewise B.
  RequireMatrix(env, fn, "a", g.a, g.transA ? g.k : g.m, g.transA ? g.m : g.k, g.lda, "lda");
  RequireMatrix(env, fn, "b", g.b, g.transB ? g.n : g.k, g.transB ? g.k : g.n, g.ldb, "ldb");
  RequireMatrix(env, fn, "c", g.c, g.m, g.n, g.ldc, "ldc");
  return g;
}

void RunGemm(const GemmCall& g) {
  if (g.a.dtype == DType::F32)
    Gemm<float>(g.transA, g.transB, g.m, g.n, g.k, static_cast<float>(g.alpha), g.a.as<float>(), g.lda, g.b.as<float>(), g.ldb, static_cast<float>(g.beta), g.c.as<float>(), g.ldc);
  else
    Gemm<double>(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a.as<double>(), g.lda, g.b.as<double>(), g.ldb, g.beta, g.c.as<double>(), g.ldc);
}

KnnCall ParseKnn(const Napi::CallbackInfo& info, const char* fn) {
  Napi::Env env = info.Env();
  KnnCall c{};
  c.queries = GetFloatArray(info, 0, fn, "queries");
  c.shape.nq = GetDim(info, 1, fn, "nq");
  c.refs = GetFloatArray(info, 2, fn, "refs");
  c.shape.nr = GetDim(info, 3, fn, "nr");
  c.shape.d = GetDim(info, 4, fn, "d");
  c.shape.k = GetDim(info, 5, fn, "k");
  c.shape.excludeSelf = GetBool(info, 6, fn, "options.excludeSelf");
  c.shape.memoryBudget = GetNumber(info, 7, fn, "options.memoryBudget");
  RequireSameType(env, fn, "queries", c.queries, "refs", c.refs);
  RequireAtLeast(env, fn, "queries", c.queries, CheckedProduct(env, fn, c.shape.nq, c.shape.d), "an " + Shape(c.shape.nq, c.shape.d) + " matrix");
  RequireAtLeast(env, fn, "refs", c.refs, CheckedProduct(env, fn, c.shape.nr, c.shape.d), "an " + Shape(c.shape.nr, c.shape.d) + " matrix");
  CheckedProduct(env, fn, c.shape.nq, c.shape.k);
  if (c.shape.nr > INT32_MAX) ThrowRange(env, "knn: nr must fit an Int32Array index");
  if (!(c.shape.memoryBudget >= 1) || c.shape.memoryBudget == INFINITY) {
    ThrowRange(env, "knn: options.memoryBudget must be a positive finite number of bytes, got " + info[7].ToString().Utf8Value());
  }
  return c;
}

void RegisterKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", MakeFunction(env, "gemm", GemmExport));
  exports.Set("gemv", MakeFunction(env, "gemv", GemvExport));
  exports.Set("gram", MakeFunction(env, "gram", GramExport));
  exports.Set("dot", MakeFunction(env, "dot", DotExport));
  exports.Set("axpy", MakeFunction(env, "axpy", AxpyExport));
  exports.Set("scal", MakeFunction(env, "scal", ScalExport));
  exports.Set("rowSqNorms", MakeFunction(env, "rowSqNorms", RowSqNormsExport));
  exports.Set("centreColumns", MakeFunction(env, "centreColumns", CentreColumnsExport));
  exports.Set("adamStep", MakeFunction(env, "adamStep", AdamStepExport));
  exports.Set("condensedSqDistances", MakeFunction(env, "condensedSqDistances", CondensedSqDistancesExport));
  exports.Set("sqeuclidean", MakeFunction(env, "sqeuclidean", SqEuclideanExport));
  exports.Set("knn", MakeFunction(env, "knn", KnnExport));
}

}  // namespace simlearn
