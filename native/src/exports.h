// Registration hooks, one per source file, called from the module initialiser.
#pragma once

#include <napi.h>

namespace simlearn {

void RegisterKernels(Napi::Env env, Napi::Object exports);
void RegisterLinalg(Napi::Env env, Napi::Object exports);
void RegisterAsync(Napi::Env env, Napi::Object exports);
void RegisterRerank(Napi::Env env, Napi::Object exports);
void RegisterGlasso(Napi::Env env, Napi::Object exports);
void RegisterPairs(Napi::Env env, Napi::Object exports);
void RegisterSoftmax(Napi::Env env, Napi::Object exports);
void RegisterImpostors(Napi::Env env, Napi::Object exports);
void RegisterLsml(Napi::Env env, Napi::Object exports);
void RegisterAffinity(Napi::Env env, Napi::Object exports);
void RegisterScml(Napi::Env env, Napi::Object exports);
void RegisterSamplePairs(Napi::Env env, Napi::Object exports);
void RegisterItml(Napi::Env env, Napi::Object exports);

}  // namespace simlearn
