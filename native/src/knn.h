// Exact k-nearest-neighbour search under squared Euclidean distance, fused with the distance
// computation so the nq x nr matrix never exists in memory. Pure C++ (no Node-API), so the
// synchronous export and the async worker share it.
#pragma once

#include <cstdint>

namespace simlearn {

struct KnnShape {
  int64_t nq, nr, d, k;
  bool excludeSelf;
  double memoryBudget;  // bytes for the distance tile
};

// Writes nq x k indices (-1 padding) and distances (Infinity padding), nearest first, ties
// keeping the lower reference index and NaN ranking after every number: the same order as
// knn() in src/backend/js-kernels.ts.
template <typename T>
void KnnSearch(const T* queries, const T* refs, const KnnShape& s, int32_t* indices, T* distances);

// Squared L2 norm of each row, accumulated in double like the JS reference.
template <typename T>
void RowSqNorms(const T* x, int64_t n, int64_t d, T* out);

}  // namespace simlearn
