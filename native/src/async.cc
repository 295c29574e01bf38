// Promise-returning variants of the long-running kernels, run on the libuv thread pool so a
// server's event loop keeps turning. The input arrays are pinned with references for the
// duration of the call; the caller must not modify them until the promise settles.
#include <napi.h>

#include <new>
#include <string>
#include <vector>

#include "args.h"
#include "calls.h"
#include "exports.h"
#include "knn.h"

namespace simlearn {

namespace {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* name) : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)), name_(name) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }

  // Keeps a JS value (an input or output array) alive until the worker is done.
  void Pin(Napi::Value v) { pinned_.push_back(Napi::Persistent(v.As<Napi::Object>())); }

 protected:
  void Execute() override {
    try {
      Run();
    } catch (const std::bad_alloc&) {
      SetError(name_ + ": out of memory; use smaller inputs");
    } catch (const std::exception& e) {
      SetError(name_ + ": " + e.what());
    }
  }
  virtual void Run() = 0;
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

  Napi::Promise::Deferred deferred_;

 private:
  std::string name_;
  std::vector<Napi::ObjectReference> pinned_;
};

class GemmWorker : public PromiseWorker {
 public:
  GemmWorker(Napi::Env env, const GemmCall& call) : PromiseWorker(env, "gemmAsync"), call_(call) {}

 protected:
  void Run() override { RunGemm(call_); }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }

 private:
  GemmCall call_;
};

class KnnWorker : public PromiseWorker {
 public:
  KnnWorker(Napi::Env env, const KnnCall& call) : PromiseWorker(env, "knnAsync"), call_(call) {
    const size_t total = static_cast<size_t>(call.shape.nq * call.shape.k);
    // Outputs are allocated here, on the JS thread, and only written by the worker.
    indices_ = Napi::Persistent(Napi::Int32Array::New(env, total));
    void* data = nullptr;
    distances_ = Napi::Persistent(NewFloatArray(env, call.queries.dtype, total, &data).As<Napi::Object>());
    idxData_ = indices_.Value().As<Napi::Int32Array>().Data();
    distData_ = data;
  }

 protected:
  void Run() override {
    if (call_.queries.dtype == DType::F32)
      KnnSearch<float>(call_.queries.as<float>(), call_.refs.as<float>(), call_.shape, idxData_, static_cast<float*>(distData_));
    else
      KnnSearch<double>(call_.queries.as<double>(), call_.refs.as<double>(), call_.shape, idxData_, static_cast<double*>(distData_));
  }
  void OnOK() override {
    Napi::Object result = Napi::Object::New(Env());
    result.Set("indices", indices_.Value());
    result.Set("distances", distances_.Value());
    deferred_.Resolve(result);
  }

 private:
  KnnCall call_;
  Napi::Reference<Napi::Int32Array> indices_;
  Napi::ObjectReference distances_;
  int32_t* idxData_ = nullptr;
  void* distData_ = nullptr;
};

Napi::Value GemmAsyncExport(const Napi::CallbackInfo& info) {
  GemmCall call = ParseGemm(info, "gemmAsync");
  auto* w = new GemmWorker(info.Env(), call);
  w->Pin(info[6]);
  w->Pin(info[8]);
  w->Pin(info[11]);
  Napi::Promise p = w->Promise();
  w->Queue();  // the worker deletes itself after OnOK/OnError
  return p;
}

Napi::Value KnnAsyncExport(const Napi::CallbackInfo& info) {
  KnnCall call = ParseKnn(info, "knnAsync");
  auto* w = new KnnWorker(info.Env(), call);
  w->Pin(info[0]);
  w->Pin(info[2]);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void RegisterAsync(Napi::Env env, Napi::Object exports) {
  exports.Set("gemmAsync", MakeFunction(env, "gemmAsync", GemmAsyncExport));
  exports.Set("knnAsync", MakeFunction(env, "knnAsync", KnnAsyncExport));
}

}  // namespace simlearn
