// llama-depot's addition to node-llama-cpp 3.21.1's addon (copied in and registered by scripts/patch-node-llama-cpp.ts):
// getGpuDevices(), each GPU's name and memory. node-llama-cpp's getGpuVramInfo sums every GPU, but the worker budgets
// each one (lib/inference/gpu-devices.ts). Listed in llama.cpp's device order, the order main_gpu and tensor_split index.

#include <cstddef>
#include <cstdint>

#include "ggml-backend.h"
#include "napi.h"

namespace {

Napi::Value getGpuDevices(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array devices = Napi::Array::New(env);
    uint32_t count = 0;
    for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
        ggml_backend_dev_t device = ggml_backend_dev_get(i);
        const auto type = ggml_backend_dev_type(device);
        if (type != GGML_BACKEND_DEVICE_TYPE_GPU && type != GGML_BACKEND_DEVICE_TYPE_IGPU) continue;
        size_t free = 0;
        size_t total = 0;
        ggml_backend_dev_memory(device, &free, &total);
        Napi::Object d = Napi::Object::New(env);
        d.Set("name", Napi::String::New(env, ggml_backend_dev_description(device)));
        d.Set("total", Napi::Number::From(env, static_cast<double>(total)));
        d.Set("free", Napi::Number::From(env, static_cast<double>(free <= total ? free : total)));
        devices.Set(count++, d);
    }
    return devices;
}

}  // namespace

void addonGpuDevicesInit(Napi::Object exports) {
    exports.Set("getGpuDevices", Napi::Function::New(exports.Env(), getGpuDevices, "getGpuDevices"));
}
