// Register-blocked AVX-512 and AVX2 kernels in the style of the BLIS micro-kernels (Van Zee &
// van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS Functionality", ACM TOMS
// 2015): references are packed into 16-wide panels, and an 8 x 32 block of the output stays
// in 16 zmm accumulators (AVX2: 6 x 16 in 12 ymm) while k runs over the full depth d, one
// broadcast of a query value feeding two FMAs. Depth d is small in similarity search (tens
// to hundreds), so no k-blocking.
#include "dot_tile.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SIMLEARN_X86 1
#endif

namespace simlearn {

const float* PackPanels(const float* r, int64_t count, int64_t d, std::vector<float>& storage) {
  const int64_t panels = (count + 15) / 16;
  storage.assign(static_cast<size_t>(panels * d * 16 + 16), 0.0f);
  const uintptr_t addr = reinterpret_cast<uintptr_t>(storage.data());
  float* packed = storage.data() + ((64 - addr % 64) % 64) / sizeof(float);
  for (int64_t p = 0; p < panels; p++) {
    float* dst = packed + p * d * 16;
    const int64_t lanes = std::min<int64_t>(16, count - p * 16);
    for (int64_t lane = 0; lane < lanes; lane++) {
      const float* src = r + (p * 16 + lane) * d;
      for (int64_t k = 0; k < d; k++) dst[k * 16 + lane] = src[k];
    }
  }
  return packed;
}

#ifdef SIMLEARN_X86

namespace {

#define SIMLEARN_AVX512 __attribute__((target("avx512f")))

template <int MR, int NP>
SIMLEARN_AVX512 void Micro(const float* q, int64_t d, const float* panel, int64_t stride, float* out, int64_t ldt, __mmask16 lastMask) {
  __m512 acc[MR][NP];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 2
    for (int p = 0; p < NP; p++) acc[i][p] = _mm512_setzero_ps();
  for (int64_t k = 0; k < d; k++) {
    __m512 r[NP];
#pragma GCC unroll 2
    for (int p = 0; p < NP; p++) r[p] = _mm512_load_ps(panel + p * stride + k * 16);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const __m512 qv = _mm512_set1_ps(q[i * d + k]);
#pragma GCC unroll 2
      for (int p = 0; p < NP; p++) acc[i][p] = _mm512_fmadd_ps(qv, r[p], acc[i][p]);
    }
  }
  const __m512 m2 = _mm512_set1_ps(-2.0f);
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 2
    for (int p = 0; p < NP; p++) {
      const __m512 v = _mm512_mul_ps(acc[i][p], m2);
      float* dst = out + i * ldt + p * 16;
      if (p == NP - 1 && lastMask != 0xFFFF) _mm512_mask_storeu_ps(dst, lastMask, v);
      else _mm512_storeu_ps(dst, v);
    }
}

template <int NP>
SIMLEARN_AVX512 void Rows(int rows, const float* q, int64_t d, const float* panel, int64_t stride, float* out, int64_t ldt, __mmask16 mask) {
  switch (rows) {
    case 1: Micro<1, NP>(q, d, panel, stride, out, ldt, mask); break;
    case 2: Micro<2, NP>(q, d, panel, stride, out, ldt, mask); break;
    case 3: Micro<3, NP>(q, d, panel, stride, out, ldt, mask); break;
    case 4: Micro<4, NP>(q, d, panel, stride, out, ldt, mask); break;
    case 5: Micro<5, NP>(q, d, panel, stride, out, ldt, mask); break;
    case 6: Micro<6, NP>(q, d, panel, stride, out, ldt, mask); break;
    case 7: Micro<7, NP>(q, d, panel, stride, out, ldt, mask); break;
    default: Micro<8, NP>(q, d, panel, stride, out, ldt, mask); break;
  }
}

SIMLEARN_AVX512 void DotTileAvx512(const float* q, int64_t qcount, const float* packed, int64_t rcount, int64_t d, float* tile, int64_t ldt) {
  const int64_t panels = (rcount + 15) / 16;
  const int64_t stride = d * 16;
  // Two panels (32 references) at a time, all query rows against them while they sit in L1.
  for (int64_t p = 0; p < panels; p += 2) {
    const int np = p + 1 < panels ? 2 : 1;
    const int64_t lastCols = std::min<int64_t>(16, rcount - (p + np - 1) * 16);
    const __mmask16 mask = lastCols == 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << lastCols) - 1);
    const float* panel = packed + p * stride;
    for (int64_t i = 0; i < qcount; i += 8) {
      const int rows = static_cast<int>(std::min<int64_t>(8, qcount - i));
      if (np == 2) Rows<2>(rows, q + i * d, d, panel, stride, tile + i * ldt + p * 16, ldt, mask);
      else Rows<1>(rows, q + i * d, d, panel, stride, tile + i * ldt + p * 16, ldt, mask);
    }
  }
}

// The AVX2 + FMA version for CPUs without AVX-512 (Zen, Haswell to Alder Lake): 16 ymm
// registers hold a 6 x 16 block (12 accumulators, the two halves of one 16-wide panel and a
// broadcast), the largest that fits without spills, as in the BLIS Haswell kernels. It reads
// the same 16-wide panels as the AVX-512 kernel, so PackPanels serves both.
#define SIMLEARN_AVX2 __attribute__((target("avx2,fma")))

// Depth is not blocked: up to d = 2048 the panel and query rows stream from L2 fast enough
// (tried 256-deep passes through the tile: no faster at d = 784 or 2048).
// With kFold the block is not stored but folded (TileFold): rows row0 .. row0 + MR - 1 of the
// block against references col0 .. col0 + cols - 1.
template <int MR, bool kFold>
SIMLEARN_AVX2 void MicroAvx2(const float* q, int64_t d, const float* panel, float* out, int64_t ldt, int cols, const TileFold* fold, int64_t row0, int64_t col0) {
  __m256 acc[MR][2];
  // Every loop over acc is fully unrolled: an indexed access would send acc to the stack.
#pragma GCC unroll 6
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  // Unrolled by 4: measured 2-15% more GFLOP/s than not unrolled for d = 16 to 784 (AMD EPYC, AVX2).
#pragma GCC unroll 4
  for (int64_t k = 0; k < d; k++) {
    const __m256 r0 = _mm256_load_ps(panel + k * 16);
    const __m256 r1 = _mm256_load_ps(panel + k * 16 + 8);
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      const __m256 qv = _mm256_broadcast_ss(q + i * d + k);
      acc[i][0] = _mm256_fmadd_ps(qv, r0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(qv, r1, acc[i][1]);
    }
  }
  const __m256 m2 = _mm256_set1_ps(-2.0f);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i lo = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), lane);
  const __m256i hi = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8), lane);
  if constexpr (!kFold) {
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      const __m256 v0 = _mm256_mul_ps(acc[i][0], m2), v1 = _mm256_mul_ps(acc[i][1], m2);
      if (cols == 16) {
        _mm256_storeu_ps(out + i * ldt, v0);
        _mm256_storeu_ps(out + i * ldt + 8, v1);
      } else {
        // The last panel of a block: lanes past rcount belong to the next tile row.
        _mm256_maskstore_ps(out + i * ldt, lo, v0);
        _mm256_maskstore_ps(out + i * ldt + 8, hi, v1);
      }
    }
  } else {
    // Mul then two adds, as Distance and the scan round them (an FMA would differ when the
    // product overflows), so the folded search gives the tile search's results bit for bit.
    const float* rnp = fold->rn + col0;
    __m256 rn0, rn1;
    if (cols == 16) {
      rn0 = _mm256_loadu_ps(rnp);
      rn1 = _mm256_loadu_ps(rnp + 8);
    } else {
      // Past the last reference the norms may be out of bounds; masked lanes are not read.
      rn0 = _mm256_maskload_ps(rnp, lo);
      rn1 = _mm256_maskload_ps(rnp + 8, hi);
    }
    // Not-greater-or-equal: true for v < thr and for NaN on either side (a NaN threshold
    // means the list is not full, or ends in NaN, and anything may go in).
    __m256 any0 = _mm256_setzero_ps(), any1 = _mm256_setzero_ps();
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      const __m256 qn = _mm256_broadcast_ss(fold->qn + row0 + i);
      const __m256 th = _mm256_broadcast_ss(fold->thr + row0 + i);
      acc[i][0] = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(acc[i][0], m2), qn), rn0);
      acc[i][1] = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(acc[i][1], m2), qn), rn1);
      any0 = _mm256_or_ps(any0, _mm256_cmp_ps(acc[i][0], th, _CMP_NGE_UQ));
      any1 = _mm256_or_ps(any1, _mm256_cmp_ps(acc[i][1], th, _CMP_NGE_UQ));
    }
    const __m256 any = _mm256_or_ps(_mm256_and_ps(any0, _mm256_castsi256_ps(lo)), _mm256_and_ps(any1, _mm256_castsi256_ps(hi)));
    if (__builtin_expect(!_mm256_testz_ps(any, any), 0)) {
      const uint32_t valid = cols == 16 ? 0xFFFFu : (1u << cols) - 1;
      alignas(32) float v[16];
#pragma GCC unroll 6
      for (int i = 0; i < MR; i++) {
        // Each row against its own threshold, re-read: the sink has only changed earlier rows'.
        const __m256 th = _mm256_broadcast_ss(fold->thr + row0 + i);
        const uint32_t m = (static_cast<uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(acc[i][0], th, _CMP_NGE_UQ))) | (static_cast<uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(acc[i][1], th, _CMP_NGE_UQ))) << 8)) & valid;
        if (m) {
          _mm256_store_ps(v, acc[i][0]);
          _mm256_store_ps(v + 8, acc[i][1]);
          fold->sink(fold->ctx, row0 + i, col0, v, m);
        }
      }
    }
  }
}

template <bool kFold>
SIMLEARN_AVX2 void PanelsAvx2(const float* q, int64_t qcount, const float* packed, int64_t rcount, int64_t d, float* tile, int64_t ldt, const TileFold* fold) {
  const int64_t panels = (rcount + 15) / 16;
  const int64_t stride = d * 16;
  // One panel (16 references) at a time against all query rows, so it stays in L1. Each
  // query meets the panels in increasing order, as the fold's tie rule needs.
  for (int64_t p = 0; p < panels; p++) {
    const int cols = static_cast<int>(std::min<int64_t>(16, rcount - p * 16));
    const float* panel = packed + p * stride;
    const int64_t col0 = p * 16;
    int64_t i = 0;
    if constexpr (kFold) {
      // Folding blocks are larger than L2 (see SearchRange), so the next panel is fetched from
      // L3 a few lines per micro-kernel (10k x 10k x 128, k = 10: about 2% less time).
      const char* next = reinterpret_cast<const char*>(panel + stride);
      const int64_t lines = p + 1 < panels ? stride / 16 : 0;
      const int64_t perBlock = lines * 6 / std::max<int64_t>(qcount, 1) + 1;
      int64_t line = 0;
      for (; i + 6 <= qcount; i += 6) {
        for (const int64_t e = std::min(lines, line + perBlock); line < e; line++) _mm_prefetch(next + line * 64, _MM_HINT_T0);
        MicroAvx2<6, true>(q + i * d, d, panel, nullptr, 0, cols, fold, i, col0);
      }
    } else {
      for (; i + 6 <= qcount; i += 6) MicroAvx2<6, false>(q + i * d, d, panel, tile + i * ldt + col0, ldt, cols, nullptr, i, col0);
    }
    const float* qi = q + i * d;
    float* oi = kFold ? nullptr : tile + i * ldt + col0;
    switch (qcount - i) {
      case 1: MicroAvx2<1, kFold>(qi, d, panel, oi, ldt, cols, fold, i, col0); break;
      case 2: MicroAvx2<2, kFold>(qi, d, panel, oi, ldt, cols, fold, i, col0); break;
      case 3: MicroAvx2<3, kFold>(qi, d, panel, oi, ldt, cols, fold, i, col0); break;
      case 4: MicroAvx2<4, kFold>(qi, d, panel, oi, ldt, cols, fold, i, col0); break;
      case 5: MicroAvx2<5, kFold>(qi, d, panel, oi, ldt, cols, fold, i, col0); break;
      default: break;
    }
  }
}

SIMLEARN_AVX2 void DotTileAvx2(const float* q, int64_t qcount, const float* packed, int64_t rcount, int64_t d, float* tile, int64_t ldt) {
  PanelsAvx2<false>(q, qcount, packed, rcount, d, tile, ldt, nullptr);
}

SIMLEARN_AVX2 void DotTileFoldAvx2(const float* q, int64_t qcount, const float* packed, int64_t rcount, int64_t d, const TileFold& fold) {
  PanelsAvx2<true>(q, qcount, packed, rcount, d, nullptr, 0, &fold);
}

using TileFn = void (*)(const float*, int64_t, const float*, int64_t, int64_t, float*, int64_t);

struct Kernel {
  TileFn fn;
  const char* isa;
  bool fold;
};

// Follows scan.cc's reading of SIMLEARN_KNN_ISA: "avx2" caps the kernel at AVX2, "sse" and
// "scalar" leave the tiles to OpenBLAS (the bit-for-bit BLAS reference in the tests).
// SIMLEARN_KNN_FOLD=0 keeps the small-k search on tiles, which the tests use to check that
// folding changes no result.
Kernel Detect() {
  __builtin_cpu_init();
  const char* env = std::getenv("SIMLEARN_KNN_ISA");
  const std::string want = env ? env : "";
  const char* foldEnv = std::getenv("SIMLEARN_KNN_FOLD");
  const bool fold = !(foldEnv && std::string(foldEnv) == "0");
  if (want == "sse" || want == "scalar") return {nullptr, "blas", false};
  if (want != "avx2" && __builtin_cpu_supports("avx512f")) return {DotTileAvx512, "avx512", false};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {DotTileAvx2, "avx2", fold};
  return {nullptr, "blas", false};
}

const Kernel& Impl() {
  static const Kernel k = Detect();
  return k;
}

}  // namespace

bool DotTileAvailable() { return Impl().fn != nullptr; }

bool DotTileFoldAvailable() { return Impl().fold; }

void DotTileFold(const float* q, int64_t qcount, const float* packed, int64_t rcount, int64_t d, const TileFold& fold) {
  DotTileFoldAvx2(q, qcount, packed, rcount, d, fold);
}

const char* DotTileIsa() { return Impl().isa; }

void DotTile(const float* q, int64_t qcount, const float* packed, int64_t rcount, int64_t d, float* tile, int64_t ldt) {
  Impl().fn(q, qcount, packed, rcount, d, tile, ldt);
}

#else

bool DotTileAvailable() { return false; }

const char* DotTileIsa() { return "blas"; }

void DotTile(const float*, int64_t, const float*, int64_t, int64_t, float*, int64_t) {}

bool DotTileFoldAvailable() { return false; }

void DotTileFold(const float*, int64_t, const float*, int64_t, int64_t, const TileFold&) {}

#endif

}  // namespace simlearn
