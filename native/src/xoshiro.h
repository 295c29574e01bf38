// xoshiro128** (Blackman & Vigna 2018) as src/random.ts runs it, so that a kernel can draw
// from the caller's JavaScript generator and hand the advanced words back: the JS Random then
// continues the same stream. src/random.ts is the reference; only what kernels draw is here.
#pragma once

#include <cstdint>

namespace simlearn {

class Xoshiro128 {
 public:
  explicit Xoshiro128(const uint32_t* words) : s0_(words[0]), s1_(words[1]), s2_(words[2]), s3_(words[3]) {}

  void Save(uint32_t* words) const {
    words[0] = s0_;
    words[1] = s1_;
    words[2] = s2_;
    words[3] = s3_;
  }

  // Random.nextUint32: uint32 arithmetic wraps exactly as Math.imul and >>> 0 do.
  uint32_t NextUint32() {
    const uint32_t result = Rotl(s1_ * 5u, 7) * 9u;
    const uint32_t t = s1_ << 9;
    s2_ ^= s0_;
    s3_ ^= s1_;
    s1_ ^= s2_;
    s0_ ^= s3_;
    s2_ ^= t;
    s3_ = Rotl(s3_, 11);
    return result;
  }

  // Random.int for 1 <= n <= 2^32: rejection of the top partial block, so no modulo bias.
  // The draws must be the same as the JavaScript's, rejections included.
  uint32_t Int(uint64_t n) {
    const uint64_t range = uint64_t{1} << 32;
    const uint64_t limit = range - range % n;
    for (;;) {
      const uint64_t r = NextUint32();
      if (r < limit) return static_cast<uint32_t>(r % n);
    }
  }

 private:
  static uint32_t Rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

  uint32_t s0_, s1_, s2_, s3_;
};

}  // namespace simlearn
