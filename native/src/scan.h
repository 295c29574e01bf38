// The pre-filter of the k-NN scan: finds the next 16-wide chunk of a distance-tile row in
// which some candidate may beat the current k-th distance. Vector versions (AVX-512, AVX2,
// SSE) are chosen once from the CPU at run time, so the binary itself stays portable.
#pragma once

#include <cstdint>

namespace simlearn {

constexpr int kScanChunk = 16;

// Scans chunks [j, j + 16), [j + 16, j + 32), ... below `end`. Returns the start of the first
// chunk where (c[t] + qn) + rn[t] < thr for some t, with those t set in *mask (bit t - start);
// or, if none, the start of the tail shorter than a chunk, with *mask = 0. NaN never passes.
int64_t NextCandidates(const float* c, const float* rn, float qn, float thr, int64_t j, int64_t end, uint32_t* mask);
int64_t NextCandidates(const double* c, const double* rn, double qn, double thr, int64_t j, int64_t end, uint32_t* mask);

// Which version runs ("avx512", "avx2", "sse" or "scalar"), for diagnostics and tests.
const char* ScanIsa();

}  // namespace simlearn
