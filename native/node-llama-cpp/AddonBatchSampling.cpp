// llama-depot's addition to node-llama-cpp 3.21.1's addon (copied into its llama/addon/ and registered by
// scripts/patch-node-llama-cpp.ts, so every source build, the CUDA one included, compiles it).
//
// decodeBatchAndSample(context, samplers, batchLogitIndexes): one asynchronous call that runs llama_decode on the
// context's batch and then samples the token of every requested output with that output's sampler. node-llama-cpp
// makes that one decode call plus one asynchronous sampleToken call per sequence per token; on a GPU each hand-off
// to and from libuv's thread pool leaves the card idle (bench/results/gpu-2026-11-27.md).

#include <algorithm>
#include <cmath>
#include <exception>
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

llama_token argmax(const float* logits, int32_t n) {
    int32_t best = 0;
    for (int32_t i = 1; i < n; i++) {
        if (logits[i] > logits[best]) {
            best = i;
        }
    }
    return best;
}

// What AddonContextSampleTokenWorker does for one output, without probabilities: -1 when nothing can be sampled.
llama_token sampleOne(llama_context* ctx, AddonSampler* sampler, int32_t batchLogitIndex, int32_t nVocab) {
    llama_token token;
    if (isPlainGreedy(sampler)) {
        const float* logits = llama_get_logits_ith(ctx, batchLogitIndex);
        if (logits == nullptr) {
            return -1;
        }
        token = argmax(logits, nVocab);
    } else {
        sampler->rebuildChainIfNeeded();
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

class DecodeBatchAndSampleWorker : public Napi::AsyncWorker {
    public:
        DecodeBatchAndSampleWorker(const Napi::Env& env, AddonContext* ctx, std::vector<AddonSampler*> samplers,
                                   std::vector<int32_t> batchLogitIndexes)
            : Napi::AsyncWorker(env, "DecodeBatchAndSampleWorker"),
              ctx(ctx),
              samplers(std::move(samplers)),
              batchLogitIndexes(std::move(batchLogitIndexes)),
              tokens(this->samplers.size(), -1),
              deferred(Napi::Promise::Deferred::New(env)) {
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
                const int r = llama_decode(ctx->ctx, ctx->batch);
                if (r != 0) {
                    SetError(r == 1 ? "could not find a KV slot for the batch (try reducing the size of the batch or increase the context)"
                                    : "Eval has failed");
                    return;
                }
                llama_synchronize(ctx->ctx);
                sampleAll();
            } catch (const std::exception& e) {
                SetError(e.what());
            } catch (...) {
                SetError("Unknown error when calling \"llama_decode\"");
            }
        }

        void OnOK() override {
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

        // Greedy outputs are sampled here in turn (a few microseconds each). Outputs with a longer chain (top-k,
        // top-p, penalties, grammar: tens to hundreds of microseconds each) are spread over threads, as
        // node-llama-cpp's parallel sampleToken calls were spread over libuv's pool.
        void sampleAll() {
            const int32_t nVocab = llama_vocab_n_tokens(ctx->model->vocab);
            std::vector<size_t> slow;
            for (size_t i = 0; i < samplers.size(); i++) {
                if (isPlainGreedy(samplers[i])) {
                    tokens[i] = sampleOne(ctx->ctx, samplers[i], batchLogitIndexes[i], nVocab);
                } else {
                    slow.push_back(i);
                }
            }
            if (slow.empty()) {
                return;
            }
            const size_t nThreads = std::min<size_t>(slow.size(), std::max(1u, std::min(8u, std::thread::hardware_concurrency())));
            std::vector<std::string> errors(nThreads);
            auto run = [&](size_t t) {
                try {
                    for (size_t k = t; k < slow.size(); k += nThreads) {
                        const size_t i = slow[k];
                        tokens[i] = sampleOne(ctx->ctx, samplers[i], batchLogitIndexes[i], nVocab);
                    }
                } catch (const std::exception& e) {
                    errors[t] = e.what();
                } catch (...) {
                    errors[t] = "Unknown error when sampling";
                }
            };
            std::vector<std::thread> threads;
            for (size_t t = 1; t < nThreads; t++) {
                threads.emplace_back(run, t);
            }
            run(0);
            for (auto& thread : threads) {
                thread.join();
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
        Napi::TypeError::New(env, "decodeBatchAndSample(context, samplers[], Uint32Array batchLogitIndexes)").ThrowAsJavaScriptException();
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
    auto* worker = new DecodeBatchAndSampleWorker(env, ctx, std::move(samplers), std::move(indexes));
    worker->Queue();
    return worker->GetPromise();
}

}  // namespace

void addonBatchSamplingInit(Napi::Object exports) {
    exports.Set("decodeBatchAndSample", Napi::Function::New(exports.Env(), DecodeBatchAndSample, "decodeBatchAndSample"));
}
