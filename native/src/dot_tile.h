// A float32 tile kernel for the k-NN search: tile = -2 · Q_block · R_blockᵀ computed with
// AVX-512 FMA, or AVX2 + FMA on CPUs without AVX-512; OpenBLAS is used otherwise. Unlike
// sgemm it packs each reference block once for all query blocks and never packs the
// queries, which pays on these thin products (depth d of tens to hundreds). When the
// environment pins OpenBLAS to older kernels (OPENBLAS_CORETYPE=Haswell on an AVX-512
// machine), this kernel still gets the wide registers because it detects the CPU itself.
#pragma once

#include <cstdint>
#include <vector>

namespace simlearn {

// True when one of our kernels will run (CPU support, and SIMLEARN_KNN_ISA not forcing BLAS).
// Not chosen per depth: on Zen 3 the whole search with the AVX2 kernel took 5-45% less time
// than with sgemm from d = 1 to 784 and about the same at 2048. Every dot product is one FMA
// chain over k in order whatever the tile shape, so results do not depend on how the
// queries are split into blocks or threads.
bool DotTileAvailable();

// "avx512", "avx2" or "blas": what computes the float32 tiles.
const char* DotTileIsa();

// Lays out rows [0, count) of a row-major count x d matrix in panels of 16 rows, k-major:
// panel p holds, for each k, the 16 values R[16p + lane][k]; missing lanes are 0. Returns the
// packed data, 64-byte aligned inside `storage` (one cache line per vector load).
const float* PackPanels(const float* r, int64_t count, int64_t d, std::vector<float>& storage);

// tile[i * ldt + j] = -2 · <q_i, r_j> for i < qcount, j < rcount, with R packed by PackPanels.
void DotTile(const float* q, int64_t qcount, const float* packed, int64_t rcount, int64_t d, float* tile, int64_t ldt);

// For the small-k search: the kernel turns each block of dot products into distances while
// they are still in registers and hands on only the rows of a 16-wide panel where some
// reference may enter the query's list, so no tile is written and read back.
struct TileFold {
  const float* qn;  // qn[i]: squared norm of query row i of the block
  const float* rn;  // rn[j]: squared norm of reference j of the block
  // thr[i]: v is handed on when v < thr[i] or either is NaN (the sink decides on NaN v). The
  // sink lowers it as its list fills.
  float* thr;
  // Called with v[t] = (-2 q_row . r_{col + t} + qn[row]) + rn[col + t], unclamped, for each t
  // in mask; rows of one query come in increasing col order.
  void (*sink)(void* ctx, int64_t row, int64_t col, const float* v, uint32_t mask);
  void* ctx;
};

// True when DotTileFold runs (our AVX2 kernel; with AVX-512 the tile path is used).
bool DotTileFoldAvailable();

void DotTileFold(const float* q, int64_t qcount, const float* packed, int64_t rcount, int64_t d, const TileFold& fold);

}  // namespace simlearn
