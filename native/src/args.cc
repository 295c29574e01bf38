#include "args.h"

#include <cmath>
#include <new>

namespace simlearn {

void ThrowRange(Napi::Env env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

const char* DTypeName(DType t) { return t == DType::F32 ? "Float32Array" : "Float64Array"; }

static std::string Where(const char* fn, const char* name) {
  return std::string(fn) + ": " + name;
}

FloatArg GetFloatArray(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Env env = info.Env();
  if (info.Length() <= i || !info[i].IsTypedArray()) {
    throw Napi::TypeError::New(env, Where(fn, name) + " must be a Float32Array or Float64Array");
  }
  Napi::TypedArray ta = info[i].As<Napi::TypedArray>();
  switch (ta.TypedArrayType()) {
    case napi_float32_array: {
      Napi::Float32Array f = ta.As<Napi::Float32Array>();
      return FloatArg{DType::F32, f.Data(), f.ElementLength()};
    }
    case napi_float64_array: {
      Napi::Float64Array f = ta.As<Napi::Float64Array>();
      return FloatArg{DType::F64, f.Data(), f.ElementLength()};
    }
    default:
      throw Napi::TypeError::New(env, Where(fn, name) + " must be a Float32Array or Float64Array");
  }
}

FloatArg GetFloat64Array(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  FloatArg a = GetFloatArray(info, i, fn, name);
  if (a.dtype != DType::F64) {
    throw Napi::TypeError::New(info.Env(), Where(fn, name) + " must be a Float64Array (decompositions run in double precision); convert with Float64Array.from(x)");
  }
  return a;
}

int64_t GetDim(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Env env = info.Env();
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw Napi::TypeError::New(env, Where(fn, name) + " must be a non-negative integer");
  }
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0) || v != std::floor(v) || v > static_cast<double>(kMaxDim)) {
    ThrowRange(env, Where(fn, name) + " must be a non-negative integer below 2^31, got " + info[i].ToString().Utf8Value());
  }
  return static_cast<int64_t>(v);
}

double GetNumber(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), Where(fn, name) + " must be a number");
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

bool GetBool(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  if (info.Length() <= i || !info[i].IsBoolean()) {
    throw Napi::TypeError::New(info.Env(), Where(fn, name) + " must be a boolean");
  }
  return info[i].As<Napi::Boolean>().Value();
}

void RequireSameType(Napi::Env env, const char* fn, const char* nameA, const FloatArg& a, const char* nameB, const FloatArg& b) {
  if (a.dtype != b.dtype) {
    throw Napi::TypeError::New(env, std::string(fn) + ": " + nameA + " is a " + DTypeName(a.dtype) + " but " + nameB + " is a " + DTypeName(b.dtype) + "; all arrays of one call must share the element type");
  }
}

void RequireMatrix(Napi::Env env, const char* fn, const char* name, const FloatArg& a, int64_t rows, int64_t cols, int64_t ld, const char* ldName) {
  // An empty matrix is never read, so its leading dimension does not matter (callers pass 0).
  if (rows == 0 || cols == 0) return;
  if (ld < cols) {
    ThrowRange(env, std::string(fn) + ": " + ldName + " (" + std::to_string(ld) + ") must be at least the number of stored columns of " + name + " (" + std::to_string(cols) + ")");
  }
  // (rows - 1) * ld + cols cannot overflow: every factor is below 2^31.
  int64_t needed = (rows - 1) * ld + cols;
  if (static_cast<uint64_t>(needed) > a.length) {
    ThrowRange(env, std::string(fn) + ": " + name + " has " + std::to_string(a.length) + " values but a " + std::to_string(rows) + " x " + std::to_string(cols) + " matrix with leading dimension " + std::to_string(ld) + " needs " + std::to_string(needed));
  }
}

void RequireAtLeast(Napi::Env env, const char* fn, const char* name, const FloatArg& a, int64_t count, const std::string& shape) {
  if (static_cast<uint64_t>(count) > a.length) {
    ThrowRange(env, std::string(fn) + ": " + name + " has " + std::to_string(a.length) + " values but " + shape + " needs " + std::to_string(count));
  }
}

void RequireExactly(Napi::Env env, const char* fn, const char* name, const FloatArg& a, int64_t count, const std::string& shape) {
  if (static_cast<uint64_t>(count) != a.length) {
    ThrowRange(env, std::string(fn) + ": " + name + " must be " + shape + " (" + std::to_string(count) + " values), got " + std::to_string(a.length) + " values");
  }
}

int64_t CheckedProduct(Napi::Env env, const char* fn, int64_t rows, int64_t cols) {
  // Both factors are below 2^31, so the product fits in int64; typed arrays stop far below.
  int64_t p = rows * cols;
  if (p > (int64_t{1} << 40)) ThrowRange(env, std::string(fn) + ": " + std::to_string(rows) + " x " + std::to_string(cols) + " is too large to allocate");
  return p;
}

namespace {
struct Exported {
  const char* name;
  Napi::Value (*fn)(const Napi::CallbackInfo&);
};

Napi::Value Trampoline(const Napi::CallbackInfo& info) {
  auto* e = static_cast<Exported*>(info.Data());
  try {
    return e->fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), std::string(e->name) + ": out of memory; use smaller inputs (for knn, a smaller options.memoryBudget)");
  } catch (const std::exception& ex) {
    throw Napi::Error::New(info.Env(), std::string(e->name) + ": " + ex.what());
  }
}
}  // namespace

Napi::Function MakeFunction(Napi::Env env, const char* name, Napi::Value (*fn)(const Napi::CallbackInfo&)) {
  // Lives as long as the module: exported functions are never unregistered.
  auto* e = new Exported{name, fn};
  return Napi::Function::New(env, Trampoline, name, e);
}

Napi::Int32Array GetInt32Array(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + name + " must be an Int32Array");
  }
  return info[i].As<Napi::Int32Array>();
}

Napi::Int32Array GetIndexArray(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int64_t n, int64_t N) {
  Napi::Int32Array a = GetInt32Array(info, i, fn, name);
  if (static_cast<int64_t>(a.ElementLength()) != n) {
    ThrowRange(info.Env(), std::string(fn) + ": " + name + " has " + std::to_string(a.ElementLength()) + " entries, expected " + std::to_string(n));
  }
  const int32_t* p = a.Data();
  for (int64_t t = 0; t < n; t++) {
    if (p[t] < 0 || p[t] >= N) ThrowRange(info.Env(), std::string(fn) + ": " + name + "[" + std::to_string(t) + "] = " + std::to_string(p[t]) + " is not a row (0 .. " + std::to_string(N - 1) + ")");
  }
  return a;
}

}  // namespace simlearn
