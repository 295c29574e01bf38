// Helpers for scanning rows of squared distances computed in float32 by one GEMM on
// augmented rows (LMNN's impostor search, NCA's softmax support).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace simlearn {

// [z_i, ‖z_i‖², 1] in A and [−2 z_i, 1, ‖z_i‖²] in B (n x (k + 2) each, float32), so that
// A Bᵀ holds ‖z_i − z_l‖². Its rounding error is at most SearchMargin(k) (‖z_i‖² + ‖z_l‖²)
// whatever the summation order: the inputs are rounded once each, and the terms' absolute
// values sum to at most 2 (‖z_i‖² + ‖z_l‖²).
struct AugmentedRows {
  std::vector<float> A, B;
  std::vector<double> nrm;  // ‖z_i‖² in float64
  double maxN = 0;          // max_i ‖z_i‖²
};
AugmentedRows AugmentRows(const double* Z, int64_t n, int64_t k);
double SearchMargin(int64_t k);

// A buffer kept across calls (one per thread and use): it grows and never shrinks, and its
// contents are not cleared. The row-block kernels run many times per fit on the same shapes;
// allocating their megabyte blocks afresh each call cost page faults and zeroing, about a
// third of a small NCA fit.
template <typename T>
class Scratch {
 public:
  T* Get(size_t count) {
    if (count > capacity_) {
      data_.reset(new T[count]);
      capacity_ = count;
    }
    return data_.get();
  }

 private:
  std::unique_ptr<T[]> data_;
  size_t capacity_ = 0;
};

// The smallest float not below x (x finite or ±Infinity): a float v is below x exactly when
// it is below RoundUp(x).
float RoundUp(double x);

// One row of search distances g (n floats): writes the l with y[l] != yi and g[l] < hi to
// out (ascending) and returns the smallest g[l] of the other rows with y[l] != yi (Infinity
// if none; a NaN never counts). SSE4.1 where the baseline has it.
float ScanRow(const float* g, const int32_t* y, int64_t n, int32_t yi, float hi, int32_t* out, int64_t* count);

}  // namespace simlearn
