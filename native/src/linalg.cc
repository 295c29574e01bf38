// Float64 decompositions over LAPACKE.
//
// The JS side stores matrices row-major; LAPACK is column-major. A row-major n x n array read
// column-major is the transpose, which the calls below exploit instead of copying:
// - symmetric input: the row-major lower triangle is the column-major upper triangle ('U');
// - LU of the stored array factors Aᵀ, so solves use trans = 'T' and getri's inverse of Aᵀ,
//   read back row-major, is A⁻¹;
// - dgesdd on Aᵀ returns Aᵀ = U' Σ V'ᵀ, and the column-major U' and V'ᵀ buffers are exactly
//   the row-major Vᵀ and U of A.
// Routines follow LAPACK: dsyevd (divide and conquer, as numpy.linalg.eigh), dpotrf/dpotrs,
// dgesdd (as numpy.linalg.svd), dgetrf/dgetrs/dgetri (as numpy.linalg.solve and inv).
#include <lapacke.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "args.h"
#include "exports.h"

namespace simlearn {

namespace {

// Matches js-decompositions.ts: a pivot below n·eps·max|A| counts as singular, so both
// backends refuse the same numerically singular matrices.
constexpr double kEps = 2.220446049250313e-16;

struct LinAlgClass {
  Napi::FunctionReference ctor;
};

// Throws the LinAlgError class registered by src/backend/native.ts (a RangeError subclass),
// or a plain RangeError if none was registered.
[[noreturn]] void ThrowLinAlg(Napi::Env env, const std::string& message) {
  LinAlgClass* cls = env.GetInstanceData<LinAlgClass>();
  if (cls != nullptr && !cls->ctor.IsEmpty()) {
    Napi::Object err = cls->ctor.New({Napi::String::New(env, message)});
    throw Napi::Error(env, err);
  }
  throw Napi::RangeError::New(env, message);
}

[[noreturn]] void ThrowLapackBug(Napi::Env env, const char* fn, const char* routine, lapack_int info) {
  throw Napi::Error::New(env, std::string(fn) + ": " + routine + " rejected argument " + std::to_string(-info) + " (a bug in simlearn; please report it)");
}

void CheckSquare(Napi::Env env, const char* fn, const FloatArg& a, int64_t n) {
  if (static_cast<uint64_t>(n) * static_cast<uint64_t>(n) != a.length) {
    ThrowRange(env, std::string(fn) + ": expected an " + std::to_string(n) + " x " + std::to_string(n) + " matrix (" + std::to_string(n * n) + " values), got " + std::to_string(a.length) + " values");
  }
}

// Shortest decimal that reads back to v, as JavaScript prints numbers.
std::string JsNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, sizeof buf, "%.*g", p, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// LAPACK may loop for a long time or return garbage on NaN/Infinity, so they are refused up
// front (same check and wording as js-decompositions.ts).
void CheckFinite(Napi::Env env, const char* fn, const FloatArg& a) {
  const double* x = a.as<double>();
  for (size_t i = 0; i < a.length; i++) {
    if (!std::isfinite(x[i])) {
      ThrowLinAlg(env, std::string(fn) + ": the matrix contains " + JsNumber(x[i]) + " at position " + std::to_string(i) + "; remove or impute non-finite values first");
    }
  }
}

void TransposeSquare(double* a, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = i + 1; j < n; j++) std::swap(a[i * n + j], a[j * n + i]);
}

Napi::Float64Array NewF64(Napi::Env env, int64_t length) { return Napi::Float64Array::New(env, static_cast<size_t>(length)); }

Napi::Value EighExport(const Napi::CallbackInfo& info) {
  const char* fn = "eigh";
  Napi::Env env = info.Env();
  FloatArg a = GetFloat64Array(info, 0, fn, "a");
  int64_t n = GetDim(info, 1, fn, "n");
  CheckSquare(env, fn, a, n);
  CheckFinite(env, fn, a);
  Napi::Float64Array values = NewF64(env, n);
  Napi::Float64Array vectors = NewF64(env, n * n);
  if (n > 0) {
    double* z = vectors.Data();
    std::copy(a.as<double>(), a.as<double>() + n * n, z);
    lapack_int rc = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', static_cast<lapack_int>(n), z, static_cast<lapack_int>(n), values.Data());
    if (rc < 0) ThrowLapackBug(env, fn, "dsyevd", rc);
    if (rc > 0) ThrowLinAlg(env, "eigh: the eigensolver (dsyevd) did not converge; the matrix may be badly scaled, rescale it");
    // Column-major eigenvectors in the columns = row-major eigenvectors in the rows; the
    // interface wants them in the columns of a row-major array.
    TransposeSquare(z, n);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("values", values);
  out.Set("vectors", vectors);
  return out;
}

// Factors the row-major lower triangle in place (column-major 'U'); returns LAPACK's info.
lapack_int Potrf(double* w, int64_t n) {
  return LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', static_cast<lapack_int>(n), w, static_cast<lapack_int>(n));
}

[[noreturn]] void ThrowNotPd(Napi::Env env, const char* fn, const double* w, int64_t n, lapack_int info) {
  const int64_t j = info - 1;
  // dpotrf leaves the failed pivot on the diagonal.
  const double pivot = w[j * n + j];
  ThrowLinAlg(env, std::string(fn) + ": the matrix is not positive definite (pivot " + std::to_string(j) + " is " + JsNumber(pivot) + "); add a small ridge to the diagonal (e.g. addRidge(M, 1e-8 * trace/n)) or project onto the PSD cone (projectPsd)");
}

Napi::Value CholeskyExport(const Napi::CallbackInfo& info) {
  const char* fn = "cholesky";
  Napi::Env env = info.Env();
  FloatArg a = GetFloat64Array(info, 0, fn, "a");
  int64_t n = GetDim(info, 1, fn, "n");
  CheckSquare(env, fn, a, n);
  CheckFinite(env, fn, a);
  Napi::Float64Array out = NewF64(env, n * n);
  if (n == 0) return out;
  double* w = out.Data();
  std::copy(a.as<double>(), a.as<double>() + n * n, w);
  lapack_int rc = Potrf(w, n);
  if (rc < 0) ThrowLapackBug(env, fn, "dpotrf", rc);
  if (rc > 0) ThrowNotPd(env, fn, w, n, rc);
  // dpotrf leaves the other triangle untouched; the factor is lower triangular.
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = i + 1; j < n; j++) w[i * n + j] = 0;
  return out;
}

Napi::Value SvdExport(const Napi::CallbackInfo& info) {
  const char* fn = "svd";
  Napi::Env env = info.Env();
  FloatArg a = GetFloat64Array(info, 0, fn, "a");
  int64_t m = GetDim(info, 1, fn, "m");
  int64_t n = GetDim(info, 2, fn, "n");
  if (static_cast<uint64_t>(m) * static_cast<uint64_t>(n) != a.length) {
    ThrowRange(env, "svd: expected " + std::to_string(m) + " x " + std::to_string(n) + " values (" + std::to_string(m * n) + "), got " + std::to_string(a.length));
  }
  CheckFinite(env, fn, a);
  const int64_t r = std::min(m, n);
  Napi::Float64Array u = NewF64(env, m * r);
  Napi::Float64Array s = NewF64(env, r);
  Napi::Float64Array vt = NewF64(env, r * n);
  if (r > 0) {
    std::vector<double> w(a.as<double>(), a.as<double>() + m * n);
    // Column-major view: Aᵀ is n x m with leading dimension n.
    lapack_int rc = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', static_cast<lapack_int>(n), static_cast<lapack_int>(m), w.data(), static_cast<lapack_int>(n), s.Data(),
                                   vt.Data(), static_cast<lapack_int>(n), u.Data(), static_cast<lapack_int>(r));
    if (rc < 0) ThrowLapackBug(env, fn, "dgesdd", rc);
    if (rc > 0) ThrowLinAlg(env, "svd: the SVD (dgesdd) did not converge; the matrix may be badly scaled, rescale it");
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("u", u);
  out.Set("s", s);
  out.Set("vt", vt);
  return out;
}

// LU of the stored array (= Aᵀ column-major) with the same singularity test as the JS backend.
std::vector<lapack_int> LuFactor(Napi::Env env, const char* fn, const double* a, int64_t n, double* lu) {
  std::copy(a, a + n * n, lu);
  double scale = 0;
  for (int64_t i = 0; i < n * n; i++) scale = std::max(scale, std::fabs(a[i]));
  std::vector<lapack_int> piv(static_cast<size_t>(n));
  lapack_int rc = LAPACKE_dgetrf(LAPACK_COL_MAJOR, static_cast<lapack_int>(n), static_cast<lapack_int>(n), lu, static_cast<lapack_int>(n), piv.data());
  if (rc < 0) ThrowLapackBug(env, fn, "dgetrf", rc);
  const double tol = scale * static_cast<double>(n) * kEps;
  for (int64_t j = 0; j < n; j++) {
    if (!(std::fabs(lu[j * n + j]) > tol)) {
      ThrowLinAlg(env, std::string(fn) + ": the matrix is singular (or numerically so at column " + std::to_string(j) + "); add a ridge to the diagonal, or use pseudoInverse / a least-squares method");
    }
  }
  return piv;
}

// Row-major n x nrhs <-> column-major n x nrhs.
void ToColMajor(const double* rowMajor, int64_t n, int64_t nrhs, double* col) {
  for (int64_t i = 0; i < n; i++)
    for (int64_t c = 0; c < nrhs; c++) col[c * n + i] = rowMajor[i * nrhs + c];
}
void ToRowMajor(const double* col, int64_t n, int64_t nrhs, double* rowMajor) {
  for (int64_t i = 0; i < n; i++)
    for (int64_t c = 0; c < nrhs; c++) rowMajor[i * nrhs + c] = col[c * n + i];
}

void CheckRhs(Napi::Env env, const char* fn, const FloatArg& b, int64_t n, int64_t nrhs) {
  if (static_cast<uint64_t>(n) * static_cast<uint64_t>(nrhs) != b.length) {
    ThrowRange(env, std::string(fn) + ": b must be " + std::to_string(n) + " x " + std::to_string(nrhs) + " (" + std::to_string(n * nrhs) + " values), got " + std::to_string(b.length) + " values");
  }
}

Napi::Value SolveExport(const Napi::CallbackInfo& info) {
  const char* fn = "solve";
  Napi::Env env = info.Env();
  FloatArg a = GetFloat64Array(info, 0, fn, "a");
  int64_t n = GetDim(info, 1, fn, "n");
  FloatArg b = GetFloat64Array(info, 2, fn, "b");
  int64_t nrhs = GetDim(info, 3, fn, "nrhs");
  CheckRhs(env, fn, b, n, nrhs);
  CheckSquare(env, fn, a, n);
  CheckFinite(env, fn, a);
  Napi::Float64Array x = NewF64(env, n * nrhs);
  if (n == 0) return x;
  std::vector<double> lu(static_cast<size_t>(n * n));
  std::vector<lapack_int> piv = LuFactor(env, fn, a.as<double>(), n, lu.data());
  if (nrhs == 0) return x;
  std::vector<double> col(static_cast<size_t>(n * nrhs));
  ToColMajor(b.as<double>(), n, nrhs, col.data());
  lapack_int rc = LAPACKE_dgetrs(LAPACK_COL_MAJOR, 'T', static_cast<lapack_int>(n), static_cast<lapack_int>(nrhs), lu.data(), static_cast<lapack_int>(n), piv.data(), col.data(), static_cast<lapack_int>(n));
  if (rc < 0) ThrowLapackBug(env, fn, "dgetrs", rc);
  ToRowMajor(col.data(), n, nrhs, x.Data());
  return x;
}

Napi::Value SolveSpdExport(const Napi::CallbackInfo& info) {
  const char* fn = "solveSpd";
  Napi::Env env = info.Env();
  FloatArg a = GetFloat64Array(info, 0, fn, "a");
  int64_t n = GetDim(info, 1, fn, "n");
  FloatArg b = GetFloat64Array(info, 2, fn, "b");
  int64_t nrhs = GetDim(info, 3, fn, "nrhs");
  CheckRhs(env, fn, b, n, nrhs);
  CheckSquare(env, fn, a, n);
  CheckFinite(env, fn, a);
  Napi::Float64Array x = NewF64(env, n * nrhs);
  if (n == 0) return x;
  std::vector<double> w(a.as<double>(), a.as<double>() + n * n);
  lapack_int rc = Potrf(w.data(), n);
  if (rc < 0) ThrowLapackBug(env, fn, "dpotrf", rc);
  if (rc > 0) ThrowNotPd(env, fn, w.data(), n, rc);
  if (nrhs == 0) return x;
  std::vector<double> col(static_cast<size_t>(n * nrhs));
  ToColMajor(b.as<double>(), n, nrhs, col.data());
  rc = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', static_cast<lapack_int>(n), static_cast<lapack_int>(nrhs), w.data(), static_cast<lapack_int>(n), col.data(), static_cast<lapack_int>(n));
  if (rc < 0) ThrowLapackBug(env, fn, "dpotrs", rc);
  ToRowMajor(col.data(), n, nrhs, x.Data());
  return x;
}

Napi::Value InverseExport(const Napi::CallbackInfo& info) {
  const char* fn = "inverse";
  Napi::Env env = info.Env();
  FloatArg a = GetFloat64Array(info, 0, fn, "a");
  int64_t n = GetDim(info, 1, fn, "n");
  CheckSquare(env, fn, a, n);
  CheckFinite(env, fn, a);
  Napi::Float64Array out = NewF64(env, n * n);
  if (n == 0) return out;
  std::vector<lapack_int> piv = LuFactor(env, fn, a.as<double>(), n, out.Data());
  lapack_int rc = LAPACKE_dgetri(LAPACK_COL_MAJOR, static_cast<lapack_int>(n), out.Data(), static_cast<lapack_int>(n), piv.data());
  if (rc < 0) ThrowLapackBug(env, fn, "dgetri", rc);
  if (rc > 0) ThrowLinAlg(env, "inverse: the matrix is singular (or numerically so at column " + std::to_string(rc - 1) + "); add a ridge to the diagonal, or use pseudoInverse / a least-squares method");
  return out;
}

Napi::Value SetLinAlgErrorExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "setLinAlgError: expected a constructor");
  LinAlgClass* cls = env.GetInstanceData<LinAlgClass>();
  if (cls == nullptr) {
    cls = new LinAlgClass();
    env.SetInstanceData(cls);
  }
  cls->ctor = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

}  // namespace

void RegisterLinalg(Napi::Env env, Napi::Object exports) {
  exports.Set("eigh", MakeFunction(env, "eigh", EighExport));
  exports.Set("cholesky", MakeFunction(env, "cholesky", CholeskyExport));
  exports.Set("svd", MakeFunction(env, "svd", SvdExport));
  exports.Set("solve", MakeFunction(env, "solve", SolveExport));
  exports.Set("solveSpd", MakeFunction(env, "solveSpd", SolveSpdExport));
  exports.Set("inverse", MakeFunction(env, "inverse", InverseExport));
  exports.Set("setLinAlgError", MakeFunction(env, "setLinAlgError", SetLinAlgErrorExport));
}

}  // namespace simlearn
