// Argument checking shared by every exported function. JavaScript can pass anything, so each
// buffer is checked against the dimensions it is read with before any BLAS call touches it:
// a wrong length must become a RangeError, never an out-of-bounds read.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace simlearn {

enum class DType { F32, F64 };

struct FloatArg {
  DType dtype;
  void* data;
  size_t length;
  template <typename T>
  T* as() const { return static_cast<T*>(data); }
};

// Largest dimension BLAS/LAPACK can take with 32-bit integers.
constexpr int64_t kMaxDim = 2147483647;

[[noreturn]] void ThrowRange(Napi::Env env, const std::string& message);

const char* DTypeName(DType t);

// A Float32Array or Float64Array argument (views with a byteOffset are fine).
FloatArg GetFloatArray(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name);
// A Float64Array argument (decompositions work in double precision only).
FloatArg GetFloat64Array(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name);
// An Int32Array argument (index lists).
Napi::Int32Array GetInt32Array(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name);
// An Int32Array of exactly n row indices, each in [0, N) (the error names the bad entry).
Napi::Int32Array GetIndexArray(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int64_t n, int64_t N);
// A non-negative integer that fits a BLAS int.
int64_t GetDim(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name);
double GetNumber(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name);
bool GetBool(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name);

// Throws unless b has the element type of a.
void RequireSameType(Napi::Env env, const char* fn, const char* nameA, const FloatArg& a, const char* nameB, const FloatArg& b);

// Checks a rows x cols matrix stored row-major with leading dimension ld fits in the array.
void RequireMatrix(Napi::Env env, const char* fn, const char* name, const FloatArg& a, int64_t rows, int64_t cols, int64_t ld, const char* ldName);

// Checks the array holds at least `count` elements (count = rows * cols of a dense matrix).
void RequireAtLeast(Napi::Env env, const char* fn, const char* name, const FloatArg& a, int64_t count, const std::string& shape);

// Checks the array holds exactly `count` elements.
void RequireExactly(Napi::Env env, const char* fn, const char* name, const FloatArg& a, int64_t count, const std::string& shape);

// rows * cols, throwing when the product cannot be an array length.
int64_t CheckedProduct(Napi::Env env, const char* fn, int64_t rows, int64_t cols);

// Wraps an exported function so C++ exceptions other than Napi::Error (std::bad_alloc in
// particular) reach JavaScript as errors instead of terminating the process.
Napi::Function MakeFunction(Napi::Env env, const char* name, Napi::Value (*fn)(const Napi::CallbackInfo&));

}  // namespace simlearn
