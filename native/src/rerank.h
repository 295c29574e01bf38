// Re-ranking of candidate lists (the last step of LSH, IVF and other candidate-generating
// indexes): for each query, the k nearest of its own candidate rows. Pure C++ (no Node-API).
#pragma once

#include <cstdint>

namespace simlearn {

enum class RerankMetric { SqEuclidean, NegDot };

// For query i, scores rows cand[start[i]] .. cand[start[i + 1] - 1] of refs (n x d, row-major)
// and keeps the k best, nearest first: ascending score, ties to the lower row, NaN after every
// number, a row listed twice kept once. Writes nq x k rows (-1 padding) and scores (+Infinity
// padding). Score = ‖q − r‖² (SqEuclidean) or −q·r (NegDot). Returns the number of distinct
// (query, row) pairs scored. The caller has checked every candidate is a valid row and
// `start` is non-decreasing within cand.
template <typename T>
int64_t RerankCandidates(const T* queries, int64_t nq, const T* refs, int64_t d, const int32_t* cand, const int32_t* start, int64_t k, RerankMetric metric, int32_t* outIdx, T* outScore);

// Which vector version scores float32 rows (follows ScanIsa(), so SIMLEARN_KNN_ISA forces it too).
const char* RerankIsa();

}  // namespace simlearn
