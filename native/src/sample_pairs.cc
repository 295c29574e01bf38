// Distinct labelled pairs by rejection sampling: src/backend/js-sample-pairs.ts is the
// reference and the documentation; this is the same loop on the same xoshiro128** stream, so
// both give the same pairs and leave the generator in the same state.
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <unordered_set>

#include "args.h"
#include "exports.h"
#include "xoshiro.h"

namespace simlearn {

namespace {

double FeasiblePairs(const int32_t* memberStart, int64_t nClasses, bool same) {
  double total = 0, sq = 0, within = 0;
  for (int64_t c = 0; c < nClasses; c++) {
    const double m = memberStart[c + 1] - memberStart[c];
    total += m;
    sq += m * m;
    within += m * (m - 1) / 2;
  }
  return same ? within : (total * total - sq) / 2;
}

// Arguments: codes, known, memberStart, members (Int32Array), count, same, rng (Uint32Array, 4).
// Returns { a, b } and advances rng in place.
Napi::Value SamplePairsExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "samplePairs";
  Napi::Int32Array codesArr = GetInt32Array(info, 0, fn, "codes");
  Napi::Int32Array knownArr = GetInt32Array(info, 1, fn, "known");
  Napi::Int32Array startArr = GetInt32Array(info, 2, fn, "memberStart");
  Napi::Int32Array membersArr = GetInt32Array(info, 3, fn, "members");
  const int64_t count = GetDim(info, 4, fn, "count");
  const bool same = GetBool(info, 5, fn, "same");
  if (info.Length() <= 6 || !info[6].IsTypedArray() || info[6].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    ThrowRange(env, std::string(fn) + ": rng must be a Uint32Array of the 4 xoshiro128** state words");
  Napi::Uint32Array rngArr = info[6].As<Napi::Uint32Array>();
  if (rngArr.ElementLength() != 4) ThrowRange(env, std::string(fn) + ": rng must be a Uint32Array of the 4 xoshiro128** state words");
  uint32_t* words = rngArr.Data();
  if ((words[0] | words[1] | words[2] | words[3]) == 0) ThrowRange(env, std::string(fn) + ": rng must not be all zero (xoshiro128** would stay at zero)");

  const int32_t* codes = codesArr.Data();
  const int32_t* known = knownArr.Data();
  const int32_t* memberStart = startArr.Data();
  const int32_t* members = membersArr.Data();
  const int64_t n = static_cast<int64_t>(codesArr.ElementLength());
  const int64_t nKnown = static_cast<int64_t>(knownArr.ElementLength());
  const int64_t nMembers = static_cast<int64_t>(membersArr.ElementLength());
  const int64_t nClasses = static_cast<int64_t>(startArr.ElementLength()) - 1;
  if (nClasses < 1 || memberStart[0] != 0 || memberStart[nClasses] != nMembers)
    ThrowRange(env, std::string(fn) + ": memberStart must run from 0 to members.length (" + std::to_string(nMembers) + ") over at least one class");
  for (int64_t c = 0; c < nClasses; c++)
    if (memberStart[c + 1] < memberStart[c]) ThrowRange(env, std::string(fn) + ": memberStart must not decrease (class " + std::to_string(c) + ")");
  if (nKnown != nMembers) ThrowRange(env, std::string(fn) + ": known has " + std::to_string(nKnown) + " rows but the classes list " + std::to_string(nMembers));
  for (const auto& [name, arr, len] : {std::make_tuple("known", known, nKnown), std::make_tuple("members", members, nMembers)}) {
    for (int64_t t = 0; t < len; t++) {
      const int32_t i = arr[t];
      if (i < 0 || i >= n || codes[i] < 0 || codes[i] >= nClasses)
        ThrowRange(env, std::string(fn) + ": " + name + "[" + std::to_string(t) + "] = " + std::to_string(i) + " is not a labelled row (0 .. " + std::to_string(n - 1) + " with a class code)");
    }
  }
  const double max = FeasiblePairs(memberStart, nClasses, same);
  if (static_cast<double>(count) * 3 > max)
    ThrowRange(env, std::string(fn) + ": " + std::to_string(count) + " pairs asked for, but rejection sampling needs count ≤ a third of the " + std::to_string(static_cast<int64_t>(max)) + " " + (same ? "same" : "different") + "-class pairs the labels allow; enumerate the pairs instead");

  Napi::Int32Array aArr = Napi::Int32Array::New(env, static_cast<size_t>(count));
  Napi::Int32Array bArr = Napi::Int32Array::New(env, static_cast<size_t>(count));
  int32_t* a = aArr.Data();
  int32_t* b = bArr.Data();
  Xoshiro128 rng(words);
  std::unordered_set<int64_t> seen;
  seen.reserve(static_cast<size_t>(count) * 2);
  int64_t t = 0;
  while (t < count) {
    const int32_t i = known[rng.Int(static_cast<uint64_t>(nKnown))];
    const int32_t ci = codes[i];
    int32_t j;
    if (same) {
      const int32_t from = memberStart[ci], size = memberStart[ci + 1] - from;
      if (size < 2) continue;
      j = members[from + static_cast<int32_t>(rng.Int(static_cast<uint64_t>(size)))];
      if (j == i) continue;
    } else {
      j = known[rng.Int(static_cast<uint64_t>(nKnown))];
      if (codes[j] == ci) continue;
    }
    const int64_t key = static_cast<int64_t>(std::min(i, j)) * n + std::max(i, j);
    if (!seen.insert(key).second) continue;
    a[t] = i;
    b[t] = j;
    t++;
  }
  rng.Save(words);
  Napi::Object result = Napi::Object::New(env);
  result.Set("a", aArr);
  result.Set("b", bArr);
  return result;
}

}  // namespace

void RegisterSamplePairs(Napi::Env env, Napi::Object exports) {
  exports.Set("samplePairs", MakeFunction(env, "samplePairs", SamplePairsExport));
}

}  // namespace simlearn
