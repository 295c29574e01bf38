// LSML's gradient descent (Liu et al., ICDM 2012). src/backend/js-lsml.ts is the reference
// and the documentation; this is the same loop over BLAS and LAPACK. A fit is ~20 short
// iterations, and in a fresh process most of its time went to compiling the JavaScript loop.
#include <cblas.h>
#include <lapacke.h>
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "args.h"
#include "exports.h"
#include "pair_loops.h"

namespace simlearn {

namespace {

struct Problem {
  const double* X;
  int64_t N, d, n;
  const int32_t *abFirst, *abSecond, *cdFirst, *cdSecond;
  const double* w;
  const double* priorInv;
  double priorLogDet;
};

void SymmetrizeInPlace(double* A, int64_t d) {
  for (int64_t i = 0; i < d; i++)
    for (int64_t j = 0; j < i; j++) {
      const double v = 0.5 * (A[i * d + j] + A[j * d + i]);
      A[i * d + j] = v;
      A[j * d + i] = v;
    }
}

void SquaredLengths(const Problem& P, const double* A, double* Y, double* ab, double* cd) {
  const int d = static_cast<int>(P.d);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(P.N), d, d, 1.0, P.X, d, A, d, 0.0, Y, d);
  PairQuadForms(P.X, Y, P.d, P.abFirst, P.abSecond, P.n, ab);
  PairQuadForms(P.X, Y, P.d, P.cdFirst, P.cdSecond, P.n, cd);
}

double ResidualLoss(const Problem& P, const double* ab, const double* cd) {
  double loss = 0;
  for (int64_t q = 0; q < P.n; q++) {
    const double dab = std::sqrt(std::max(ab[q], 0.0)), dcd = std::sqrt(std::max(cd[q], 0.0));
    if (dab > dcd) {
      const double r = dab - dcd;
      loss += P.w[q] * r * r;
    }
  }
  return loss;
}

// Lower Cholesky factor of M into work; false when M is not finite or not positive definite.
bool Cholesky(const double* M, int64_t d, double* work) {
  for (int64_t i = 0; i < d * d; i++) {
    if (!std::isfinite(M[i])) return false;
    work[i] = M[i];
  }
  return LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', static_cast<lapack_int>(d), work, static_cast<lapack_int>(d)) == 0;
}

double LogDetDivergence(const Problem& P, const double* M, double* work) {
  const int64_t d = P.d;
  if (!Cholesky(M, d, work)) return std::numeric_limits<double>::infinity();
  double logDet = 0;
  for (int64_t i = 0; i < d; i++) logDet += std::log(work[i * d + i]);
  double reg = -2 * logDet + P.priorLogDet - static_cast<double>(d);
  for (int64_t i = 0; i < d * d; i++) reg += M[i] * P.priorInv[i];
  return reg;
}

// ∇f(M), symmetrised; false when M is not positive definite.
// Buffers of the gradient's pair term: Z = L_w X, and the rows that term touches.
struct GradientWork {
  std::vector<double> Z, Xrows, Zrows, cab, ccd;
  std::vector<uint8_t> used;
  std::vector<int64_t> rows;
  GradientWork(int64_t N, int64_t d, int64_t n)
      : Z(static_cast<size_t>(N * d)), Xrows(static_cast<size_t>(N * d)), Zrows(static_cast<size_t>(N * d)),
        cab(static_cast<size_t>(n)), ccd(static_cast<size_t>(n)), used(static_cast<size_t>(N)) {
    rows.reserve(static_cast<size_t>(N));
  }
};

// Xᵀ Z += over the rows of Z that violated quadruplets touch only: once the metric is close,
// few quadruplets are violated and the GEMM shrinks with them (the JavaScript reference
// multiplies all rows; the sums agree to rounding).
void AddPairScatter(const Problem& P, GradientWork& g, double* grad) {
  const int64_t d = P.d;
  g.rows.clear();
  for (int64_t q = 0; q < P.n; q++) {
    if (g.cab[q] == 0 && g.ccd[q] == 0) continue;
    for (const int32_t r : {P.abFirst[q], P.abSecond[q], P.cdFirst[q], P.cdSecond[q]})
      if (!g.used[r]) {
        g.used[r] = 1;
        g.rows.push_back(r);
      }
  }
  for (const int64_t r : g.rows) std::fill(g.Z.data() + r * d, g.Z.data() + (r + 1) * d, 0.0);
  AddPairLaplacian(g.Z.data(), P.X, d, P.abFirst, P.abSecond, g.cab.data(), P.n);
  AddPairLaplacian(g.Z.data(), P.X, d, P.cdFirst, P.cdSecond, g.ccd.data(), P.n);
  const int64_t K = static_cast<int64_t>(g.rows.size());
  for (int64_t k = 0; k < K; k++) {
    const int64_t r = g.rows[static_cast<size_t>(k)];
    std::copy(P.X + r * d, P.X + (r + 1) * d, g.Xrows.data() + k * d);
    std::copy(g.Z.data() + r * d, g.Z.data() + (r + 1) * d, g.Zrows.data() + k * d);
    g.used[r] = 0;
  }
  const int di = static_cast<int>(d);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, di, di, static_cast<int>(K), 1.0, g.Xrows.data(), di, g.Zrows.data(), di, 1.0, grad, di);
}

bool Gradient(const Problem& P, const double* M, const double* ab, const double* cd, double* grad, double* work, GradientWork& g) {
  std::vector<double>& cab = g.cab;
  std::vector<double>& ccd = g.ccd;
  const int64_t d = P.d;
  int64_t violated = 0;
  for (int64_t q = 0; q < P.n; q++) {
    cab[q] = 0;
    ccd[q] = 0;
    const double dab = std::sqrt(std::max(ab[q], 0.0)), dcd = std::sqrt(std::max(cd[q], 0.0));
    if (dab > dcd) {
      violated++;
      cab[q] = P.w[q] * (1 - dcd / dab);
      ccd[q] = dcd > 0 ? P.w[q] * (1 - dab / dcd) : 0;
    }
  }
  if (!Cholesky(M, d, work)) return false;
  if (LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'L', static_cast<lapack_int>(d), work, static_cast<lapack_int>(d)) != 0) return false;
  for (int64_t i = 0; i < d; i++)
    for (int64_t j = 0; j < d; j++) {
      const double inv = j <= i ? work[i * d + j] : work[j * d + i];
      grad[i * d + j] = P.priorInv[i * d + j] - inv;
    }
  if (violated > 0) AddPairScatter(P, g, grad);
  SymmetrizeInPlace(grad, d);
  return true;
}

// Arguments: X (N x d), N, d, abFirst, abSecond, cdFirst, cdSecond (Int32Array, n), w (n),
// prior, priorInv (d x d), priorLogDet, maxIter, tol. Returns { M, nIter, converged, objective, history }.
Napi::Value LsmlDescentExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "lsmlDescent";
  FloatArg x = GetFloat64Array(info, 0, fn, "X");
  const int64_t N = GetDim(info, 1, fn, "N");
  const int64_t d = GetDim(info, 2, fn, "d");
  FloatArg wArg = GetFloat64Array(info, 7, fn, "w");
  const int64_t n = static_cast<int64_t>(wArg.length);
  if (N < 1 || d < 1 || n < 1) ThrowRange(env, std::string(fn) + ": N, d and the number of quadruplets must be positive");
  RequireExactly(env, fn, "X", x, CheckedProduct(env, fn, N, d), "an " + std::to_string(N) + " x " + std::to_string(d) + " matrix");
  Problem P;
  P.X = x.as<double>();
  P.N = N;
  P.d = d;
  P.n = n;
  P.abFirst = GetIndexArray(info, 3, fn, "abFirst", n, N).Data();
  P.abSecond = GetIndexArray(info, 4, fn, "abSecond", n, N).Data();
  P.cdFirst = GetIndexArray(info, 5, fn, "cdFirst", n, N).Data();
  P.cdSecond = GetIndexArray(info, 6, fn, "cdSecond", n, N).Data();
  P.w = wArg.as<double>();
  FloatArg prior = GetFloat64Array(info, 8, fn, "prior");
  FloatArg priorInv = GetFloat64Array(info, 9, fn, "priorInv");
  const std::string sq = "a " + std::to_string(d) + " x " + std::to_string(d) + " matrix";
  RequireExactly(env, fn, "prior", prior, d * d, sq);
  RequireExactly(env, fn, "priorInv", priorInv, d * d, sq);
  P.priorInv = priorInv.as<double>();
  P.priorLogDet = GetNumber(info, 10, fn, "priorLogDet");
  const int64_t maxIter = GetDim(info, 11, fn, "maxIter");
  const double tol = GetNumber(info, 12, fn, "tol");

  const int64_t dd = d * d;
  std::vector<double> Y(static_cast<size_t>(N * d)), work(static_cast<size_t>(dd));
  GradientWork gw(N, d, n);
  Napi::Float64Array Mout = Napi::Float64Array::New(env, static_cast<size_t>(dd));
  double* M = Mout.Data();
  std::copy(prior.as<double>(), prior.as<double>() + dd, M);
  SymmetrizeInPlace(M, d);
  std::vector<double> ab(static_cast<size_t>(n)), cd(static_cast<size_t>(n));
  SquaredLengths(P, M, Y.data(), ab.data(), cd.data());
  std::vector<double> G(static_cast<size_t>(dd)), Gnew(static_cast<size_t>(dd)), trial(static_cast<size_t>(dd));
  if (!Gradient(P, M, ab.data(), cd.data(), G.data(), work.data(), gw)) ThrowRange(env, std::string(fn) + ": the prior is not positive definite");
  double f = ResidualLoss(P, ab.data(), cd.data()) + LogDetDivergence(P, M, work.data());
  double step = 1;
  std::vector<double> abG(static_cast<size_t>(n)), cdG(static_cast<size_t>(n)), abTrial(static_cast<size_t>(n)), cdTrial(static_cast<size_t>(n));
  std::vector<double> history;
  int64_t it = 0;
  bool converged = false;
  while (it < maxIter) {
    it++;
    double g2 = 0;
    for (int64_t i = 0; i < dd; i++) g2 += G[i] * G[i];
    if (g2 == 0) {
      converged = true;
      break;
    }
    SquaredLengths(P, G.data(), Y.data(), abG.data(), cdG.data());
    double fNew = std::numeric_limits<double>::infinity();
    bool accepted = false;
    for (int ls = 0; ls < 60; ls++) {
      for (int64_t i = 0; i < dd; i++) trial[i] = M[i] - step * G[i];
      const double reg = LogDetDivergence(P, trial.data(), work.data());
      if (reg != std::numeric_limits<double>::infinity()) {
        for (int64_t q = 0; q < n; q++) {
          abTrial[q] = ab[q] - step * abG[q];
          cdTrial[q] = cd[q] - step * cdG[q];
        }
        fNew = ResidualLoss(P, abTrial.data(), cdTrial.data()) + reg;
        if (fNew <= f - 1e-4 * step * g2 && Gradient(P, trial.data(), abTrial.data(), cdTrial.data(), Gnew.data(), work.data(), gw)) {
          accepted = true;
          break;
        }
      }
      step *= 0.5;
    }
    if (!accepted) {
      converged = true;
      break;
    }
    double ss = 0, sy = 0;
    for (int64_t i = 0; i < dd; i++) {
      const double s = trial[i] - M[i], yv = Gnew[i] - G[i];
      ss += s * s;
      sy += s * yv;
    }
    const double decrease = f - fNew;
    std::copy(trial.begin(), trial.end(), M);
    G.swap(Gnew);
    ab.swap(abTrial);
    cd.swap(cdTrial);
    f = fNew;
    history.push_back(f);
    if (decrease <= tol * (1 + std::fabs(f))) {
      converged = true;
      break;
    }
    step = sy > 0 ? std::min(ss / sy, 1e6) : step * 2;
  }
  Napi::Float64Array hist = Napi::Float64Array::New(env, history.size());
  std::copy(history.begin(), history.end(), hist.Data());
  Napi::Object result = Napi::Object::New(env);
  result.Set("M", Mout);
  result.Set("nIter", Napi::Number::New(env, static_cast<double>(it)));
  result.Set("converged", Napi::Boolean::New(env, converged));
  result.Set("objective", Napi::Number::New(env, f));
  result.Set("history", hist);
  return result;
}

}  // namespace

void RegisterLsml(Napi::Env env, Napi::Object exports) {
  exports.Set("lsmlDescent", MakeFunction(env, "lsmlDescent", LsmlDescentExport));
}

}  // namespace simlearn
