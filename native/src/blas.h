// One name per BLAS operation for both precisions, so kernels are written once as templates.
#pragma once

#include <cblas.h>

#include <cstdint>

namespace simlearn {

template <typename T>
struct Blas;

template <>
struct Blas<float> {
  static void gemm(bool ta, bool tb, blasint m, blasint n, blasint k, float alpha, const float* a, blasint lda, const float* b, blasint ldb, float beta, float* c, blasint ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  static void gemv(bool t, blasint m, blasint n, float alpha, const float* a, blasint lda, const float* x, float beta, float* y) {
    cblas_sgemv(CblasRowMajor, t ? CblasTrans : CblasNoTrans, m, n, alpha, a, lda, x, 1, beta, y, 1);
  }
  // Upper triangle of C = Aᵀ A for a row-major n x d A.
  static void syrkUpperAtA(blasint n, blasint d, const float* a, float* c) {
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, d, n, 1.0f, a, d, 0.0f, c, d);
  }
  // Float data, double accumulation: the same precision the JS reference gets from V8 numbers.
  static double dot(blasint n, const float* x, const float* y) { return cblas_dsdot(n, x, 1, y, 1); }
  static void axpy(blasint n, float alpha, const float* x, float* y) { cblas_saxpy(n, alpha, x, 1, y, 1); }
};

template <>
struct Blas<double> {
  static void gemm(bool ta, bool tb, blasint m, blasint n, blasint k, double alpha, const double* a, blasint lda, const double* b, blasint ldb, double beta, double* c, blasint ldc) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  static void gemv(bool t, blasint m, blasint n, double alpha, const double* a, blasint lda, const double* x, double beta, double* y) {
    cblas_dgemv(CblasRowMajor, t ? CblasTrans : CblasNoTrans, m, n, alpha, a, lda, x, 1, beta, y, 1);
  }
  static void syrkUpperAtA(blasint n, blasint d, const double* a, double* c) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, n, 1.0, a, d, 0.0, c, d);
  }
  static double dot(blasint n, const double* x, const double* y) { return cblas_ddot(n, x, 1, y, 1); }
  static void axpy(blasint n, double alpha, const double* x, double* y) { cblas_daxpy(n, alpha, x, 1, y, 1); }
};

// C = alpha op(A) op(B) + beta C with the corner cases handled outside BLAS: BLAS rejects
// lda = 0 when k = 0, and an explicit zero fill makes beta = 0 ignore NaN garbage in C
// whatever the BLAS version does.
template <typename T>
void Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (beta == T(0)) {
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) c[i * ldc + j] = T(0);
  }
  if (k == 0 || alpha == T(0)) {
    if (beta != T(0) && beta != T(1)) {
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) c[i * ldc + j] *= beta;
    }
    return;
  }
  Blas<T>::gemm(ta, tb, static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a, static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

}  // namespace simlearn
