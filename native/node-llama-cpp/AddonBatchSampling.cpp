// llama-depot's addition to node-llama-cpp 3.21.1's addon (copied into its llama/addon/ and registered by
// scripts/patch-node-llama-cpp.ts, so every source build, the CUDA one included, compiles it).
//
// decodeBatchAndSample(context, samplers, batchLogitIndexes, timings?): one asynchronous call that runs llama_decode on
// the context's batch and then samples the token of every requested output with that output's sampler; `timings`, a
// Float64Array(2), receives the milliseconds spent in the decode (with its synchronize) and in the sampling. node-llama-cpp
// makes that one decode call plus one asynchronous sampleToken call per sequence per token; on a GPU each hand-off
// to and from libuv's thread pool leaves the card idle (bench/results/gpu-2026-11-27.md).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "llama.h"
#include "napi.h"

#include "AddonContext.h"
#include "AddonGrammarEvaluationState.h"
#include "AddonSampler.h"

namespace {

// A sampler whose chain is only the greedy sampler picks the highest logit (the first one on a tie, as
// llama_sampler_greedy does): read it from the logits, without copying them into a candidate array first.
bool isPlainGreedy(const AddonSampler* sampler) {
    return sampler->greedySampler != nullptr && sampler->tokenBiasSampler == nullptr &&
           sampler->repeatPenaltySampler == nullptr && sampler->dryRepeatPenaltySampler == nullptr &&
           sampler->xtcSampler == nullptr &&
           (sampler->grammarEvaluationState == nullptr || sampler->grammarEvaluationState->sampler == nullptr);
}

// 16 running maxima (with their first index) that the compiler keeps in vector registers: 2.5x the speed of the
// one-at-a-time loop over Llama's 32000 logits. Ties go to the lowest index, as in the one-at-a-time loop.
llama_token argmax(const float* logits, int32_t n) {
    constexpr int32_t lanes = 16;
    float best[lanes];
    int32_t at[lanes];
    for (int32_t j = 0; j < lanes; j++) {
        best[j] = -INFINITY;
        at[j] = j;
    }
    int32_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        for (int32_t j = 0; j < lanes; j++) {
            const bool greater = logits[i + j] > best[j];
            best[j] = greater ? logits[i + j] : best[j];
            at[j] = greater ? i + j : at[j];
        }
    }
    float max = best[0];
    int32_t token = at[0];
    for (int32_t j = 1; j < lanes; j++) {
        if (best[j] > max || (best[j] == max && at[j] < token)) {
            max = best[j];
            token = at[j];
        }
    }
    for (; i < n; i++) {
        if (logits[i] > max) {
            max = logits[i];
            token = i;
        }
    }
    return token;
}

// What AddonContextSampleTokenWorker does for one output, without probabilities: -1 when nothing can be sampled.
// `logits`: the output's logits where the sampler is plain greedy (read before, on one thread), else unused.
llama_token sampleOne(llama_context* ctx, AddonSampler* sampler, int32_t batchLogitIndex, const float* logits, int32_t nVocab) {
    llama_token token;
    if (isPlainGreedy(sampler)) {
        if (logits == nullptr) {
            return -1;
        }
        token = argmax(logits, nVocab);
    } else {
        // The chain was rebuilt on the JS thread (DecodeBatchAndSample): here it is only read.
        llama_token_data_array cur_p;
        sampler->sample(ctx, batchLogitIndex, cur_p, false);
        if (cur_p.size == 0 || !(cur_p.selected >= 0 && cur_p.selected < (int32_t)cur_p.size)) {
            return -1;
        }
        token = cur_p.data[cur_p.selected].id;
    }
    sampler->acceptToken(token);
    return token;
}

// Threads kept for the sampling of all contexts: starting threads for every step cost 60-150 us each on the VMs
// measured, more than the sampling they did. One run at a time; the caller's thread takes a share too.
class SamplingPool {
    public:
        static SamplingPool& shared() {
            static auto* pool = new SamplingPool();  // never destroyed: its threads wait forever, detached
            return *pool;
        }

        // Calls work(i) for every i < n, spread over `threads` threads (this one included); returns once all are done.
        void run(size_t n, size_t threads, const std::function<void(size_t)>& work) {
            std::lock_guard<std::mutex> one(runLock);
            {
                std::unique_lock<std::mutex> lock(mutex);
                while (workers.size() + 1 < threads) {
                    workers.emplace_back(&SamplingPool::loop, this, workers.size() + 1);
                    workers.back().detach();
                }
                job = &work;
                jobSize = n;
                jobThreads = threads;
                pending = threads - 1;
                generation++;
            }
            wake.notify_all();
            for (size_t i = 0; i < n; i += threads) {
                work(i);
            }
            std::unique_lock<std::mutex> lock(mutex);
            finished.wait(lock, [this] { return pending == 0; });
            job = nullptr;
        }

    private:
        std::mutex runLock;
        std::mutex mutex;
        std::condition_variable wake;
        std::condition_variable finished;
        std::vector<std::thread> workers;
        const std::function<void(size_t)>* job = nullptr;
        size_t jobSize = 0;
        size_t jobThreads = 0;
        size_t pending = 0;
        uint64_t generation = 0;

        void loop(size_t index) {
            uint64_t seen = 0;
            for (;;) {
                const std::function<void(size_t)>* work;
                size_t n;
                size_t threads;
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    wake.wait(lock, [&] { return generation != seen && index < jobThreads; });
                    seen = generation;
                    work = job;
                    n = jobSize;
                    threads = jobThreads;
                }
                for (size_t i = index; i < n; i += threads) {
                    (*work)(i);
                }
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    pending--;
                }
                finished.notify_one();
            }
        }
};

class DecodeBatchAndSampleWorker : public Napi::AsyncWorker {
    public:
        DecodeBatchAndSampleWorker(const Napi::Env& env, AddonContext* ctx, std::vector<AddonSampler*> samplers,
                                   std::vector<int32_t> batchLogitIndexes, Napi::Value timings)
            : Napi::AsyncWorker(env, "DecodeBatchAndSampleWorker"),
              ctx(ctx),
              samplers(std::move(samplers)),
              batchLogitIndexes(std::move(batchLogitIndexes)),
              tokens(this->samplers.size(), -1),
              deferred(Napi::Promise::Deferred::New(env)) {
            if (timings.IsTypedArray() && timings.As<Napi::TypedArray>().TypedArrayType() == napi_float64_array &&
                timings.As<Napi::Float64Array>().ElementLength() >= 2) {
                this->timings = Napi::Persistent(timings.As<Napi::Float64Array>());
            }
            ctx->Ref();
            for (auto* sampler : this->samplers) {
                sampler->Ref();
            }
        }
        ~DecodeBatchAndSampleWorker() {
            ctx->Unref();
            for (auto* sampler : samplers) {
                sampler->Unref();
            }
        }

        Napi::Promise GetPromise() {
            return deferred.Promise();
        }

    protected:
        void Execute() override {
            try {
                const auto started = std::chrono::steady_clock::now();
                const int r = llama_decode(ctx->ctx, ctx->batch);
                if (r != 0) {
                    SetError(r == 1 ? "could not find a KV slot for the batch (try reducing the size of the batch or increase the context)"
                                    : "Eval has failed");
                    return;
                }
                llama_synchronize(ctx->ctx);
                const auto decoded = std::chrono::steady_clock::now();
                sampleAll();
                decodeMs = std::chrono::duration<double, std::milli>(decoded - started).count();
                sampleMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - decoded).count();
            } catch (const std::exception& e) {
                SetError(e.what());
            } catch (...) {
                SetError("Unknown error when calling \"llama_decode\"");
            }
        }

        void OnOK() override {
            if (!timings.IsEmpty()) {
                timings.Value()[0] = decodeMs;
                timings.Value()[1] = sampleMs;
            }
            auto result = Napi::Int32Array::New(Env(), tokens.size());
            for (size_t i = 0; i < tokens.size(); i++) {
                result[i] = tokens[i];
            }
            deferred.Resolve(result);
        }
        void OnError(const Napi::Error& err) override {
            deferred.Reject(err.Value());
        }

    private:
        AddonContext* ctx;
        std::vector<AddonSampler*> samplers;
        std::vector<int32_t> batchLogitIndexes;
        std::vector<llama_token> tokens;
        Napi::Promise::Deferred deferred;
        Napi::Reference<Napi::Float64Array> timings;
        double decodeMs = 0;
        double sampleMs = 0;

        // An output takes 10-30 (greedy) to hundreds (top-k, top-p, penalties, grammar) of microseconds: from 8 outputs on
        // they are spread over up to 8 threads, as node-llama-cpp's parallel sampleToken calls were over libuv's pool
        // (on an H200's host, 4 greedy outputs took 0.10 ms in turn and 0.17 ms over the pool; 32 took 0.36 ms over it).
        void sampleAll() {
            const int32_t nVocab = llama_vocab_n_tokens(ctx->model->vocab);
            const size_t n = samplers.size();
            // llama_get_logits_ith synchronizes the context: called here, on one thread, for the greedy outputs.
            std::vector<const float*> logits(n, nullptr);
            for (size_t i = 0; i < n; i++) {
                if (isPlainGreedy(samplers[i])) {
                    logits[i] = llama_get_logits_ith(ctx->ctx, batchLogitIndexes[i]);
                }
            }
            std::vector<std::string> errors(n);
            const std::function<void(size_t)> work = [&](size_t i) {
                try {
                    tokens[i] = sampleOne(ctx->ctx, samplers[i], batchLogitIndexes[i], logits[i], nVocab);
                } catch (const std::exception& e) {
                    errors[i] = e.what();
                } catch (...) {
                    errors[i] = "Unknown error when sampling";
                }
            };
            const size_t threads = n < 8 ? 1 : std::min<size_t>({(n + 1) / 2, 8, std::max(1u, std::thread::hardware_concurrency())});
            if (threads == 1) {
                for (size_t i = 0; i < n; i++) {
                    work(i);
                }
            } else {
                SamplingPool::shared().run(n, threads, work);
            }
            for (const auto& error : errors) {
                if (!error.empty()) {
                    SetError(error);
                    return;
                }
            }
        }
};

Napi::Value DecodeBatchAndSample(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsArray() || !info[2].IsTypedArray()) {
        Napi::TypeError::New(env, "decodeBatchAndSample(context, samplers[], Uint32Array batchLogitIndexes, Float64Array timings?)").ThrowAsJavaScriptException();
        return env.Undefined();
    }
    AddonContext* ctx = Napi::ObjectWrap<AddonContext>::Unwrap(info[0].As<Napi::Object>());
    if (ctx->disposed || !ctx->has_batch) {
        Napi::Error::New(env, ctx->disposed ? "Context is disposed" : "No batch is initialized").ThrowAsJavaScriptException();
        return env.Undefined();
    }
    Napi::Array samplerArray = info[1].As<Napi::Array>();
    Napi::Uint32Array indexArray = info[2].As<Napi::Uint32Array>();
    if (samplerArray.Length() != indexArray.ElementLength()) {
        Napi::RangeError::New(env, "one sampler per batch logit index").ThrowAsJavaScriptException();
        return env.Undefined();
    }
    std::vector<AddonSampler*> samplers;
    std::vector<int32_t> indexes;
    for (uint32_t i = 0; i < samplerArray.Length(); i++) {
        AddonSampler* sampler = Napi::ObjectWrap<AddonSampler>::Unwrap(samplerArray.Get(i).As<Napi::Object>());
        if (sampler->disposed) {
            Napi::Error::New(env, "Sampler is disposed").ThrowAsJavaScriptException();
            return env.Undefined();
        }
        // The chain is (re)built here, on the JS thread, as applyConfig left it; sampling then only reads it.
        sampler->rebuildChainIfNeeded();
        samplers.push_back(sampler);
        indexes.push_back(static_cast<int32_t>(indexArray[i]));
    }
    auto* worker = new DecodeBatchAndSampleWorker(env, ctx, std::move(samplers), std::move(indexes), info[3]);
    worker->Queue();
    return worker->GetPromise();
}

}  // namespace

void addonBatchSamplingInit(Napi::Object exports) {
    exports.Set("decodeBatchAndSample", Napi::Function::New(exports.Env(), DecodeBatchAndSample, "decodeBatchAndSample"));
}
