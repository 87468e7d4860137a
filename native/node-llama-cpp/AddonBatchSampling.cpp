// llama-depot's addition to node-llama-cpp 3.21.1's addon (copied into its llama/addon/ and registered by
// scripts/patch-node-llama-cpp.ts, so every source build, the CUDA one included, compiles it): AddonDecodeLoop, which
// runs a context's decode steps on a thread of its own and samples every output natively (see the class below).
// node-llama-cpp makes one asynchronous decode call plus one asynchronous sampleToken call per sequence per token, each
// on any of libuv's pool threads and each handing back to JS; on a GPU those hand-offs left the card idle for 10-19%
// of every step (bench/results/gpu-2026-11-27.md).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
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

// An output takes 10-30 (greedy) to hundreds (top-k, top-p, penalties, grammar) of microseconds: from 8 outputs on
// they are spread over up to 8 threads, as node-llama-cpp's parallel sampleToken calls were over libuv's pool
// (on an H200's host, 4 greedy outputs took 0.10 ms in turn and 0.17 ms over the pool; 32 took 0.36 ms over it).
// Each chain must have been rebuilt on the JS thread (rebuildChainIfNeeded). Returns an error message, or "".
std::string sampleOutputs(llama_context* ctx, const std::vector<AddonSampler*>& samplers,
                          const std::vector<int32_t>& batchLogitIndexes, std::vector<llama_token>& tokens) {
    const int32_t nVocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(ctx)));
    const size_t n = samplers.size();
    tokens.assign(n, -1);
    // llama_get_logits_ith synchronizes the context: called here, on one thread, for the greedy outputs.
    std::vector<const float*> logits(n, nullptr);
    for (size_t i = 0; i < n; i++) {
        if (isPlainGreedy(samplers[i])) {
            logits[i] = llama_get_logits_ith(ctx, batchLogitIndexes[i]);
        }
    }
    std::vector<std::string> errors(n);
    const std::function<void(size_t)> work = [&](size_t i) {
        try {
            tokens[i] = sampleOne(ctx, samplers[i], batchLogitIndexes[i], logits[i], nVocab);
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
            return error;
        }
    }
    return "";
}

// A context's decode steps run on one thread of their own, in the order they were submitted, each step starting as
// soon as the one before it has sampled: JS submits the next step while the GPU decodes the current one, so the card
// does not wait for JS between steps, and llama.cpp always runs on the same thread (node-llama-cpp's calls hop between
// libuv's pool threads; bench/results/gpu-2026-11-27.md). Every token stays in llama.cpp: a token step feeds each
// sequence the token it sampled last, at the position after its last one.
//
// JS: new AddonDecodeLoop(context, onStep(error: string | null, tokens: Int32Array, timings: Float64Array))
//   submitPrompt(sequenceId, tokens: Uint32Array, sampler | null, start = 0, copyFrom = -1): a prompt, or one chunk of
//     it: with copyFrom >= 0 the sequence first takes a copy of sequence copyFrom's cells (llama_memory_seq_cp; a
//     shared prefix decoded once); then its cells from position `start` on are removed, `tokens` are decoded at
//     positions start... (in pieces of the context's batch size), and with a sampler one token is sampled (the last
//     chunk of a prompt; the earlier chunks pass null and give no token);
//   submitTokens(sequenceIds: Int32Array, samplers[]): one token of each sequence in one llama_decode, then samples
//     one token each;
//   dispose(): after the last onStep (it waits for the step running on the thread).
// onStep is called once per submitted step, in order; timings: [decode ms (with synchronize), sampling ms, ms the thread
// waited for this step since the step before ended].
class AddonDecodeLoop : public Napi::ObjectWrap<AddonDecodeLoop> {
    public:
        static void init(Napi::Object exports) {
            exports.Set("AddonDecodeLoop", DefineClass(exports.Env(), "AddonDecodeLoop", {
                InstanceMethod("submitPrompt", &AddonDecodeLoop::SubmitPrompt),
                InstanceMethod("submitTokens", &AddonDecodeLoop::SubmitTokens),
                InstanceMethod("dispose", &AddonDecodeLoop::Dispose),
            }));
        }

        AddonDecodeLoop(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonDecodeLoop>(info) {
            Napi::Env env = info.Env();
            if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
                Napi::TypeError::New(env, "new AddonDecodeLoop(context, onStep)").ThrowAsJavaScriptException();
                return;
            }
            ctx = Napi::ObjectWrap<AddonContext>::Unwrap(info[0].As<Napi::Object>());
            if (ctx->disposed || ctx->ctx == nullptr) {
                Napi::Error::New(env, "Context is disposed").ThrowAsJavaScriptException();
                return;
            }
            ctx->Ref();
            nBatch = static_cast<int32_t>(llama_n_batch(ctx->ctx));
            batch = llama_batch_init(nBatch, 0, 1);
            const size_t sequences = llama_n_seq_max(ctx->ctx);
            positions.assign(sequences, 0);
            last.assign(sequences, -1);
            onStep = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "AddonDecodeLoop", 0, 1);
            onStep.Unref(env);  // holds the event loop open only while steps are pending
            thread = std::thread(&AddonDecodeLoop::loop, this);
            started = true;
        }

        ~AddonDecodeLoop() {
            // Garbage-collected without dispose(): the context's reference is left alone (at environment teardown the
            // context may be finalized already).
            stop();
        }

    private:
        struct Job {
            bool prompt = false;
            int32_t start = 0;
            int32_t copyFrom = -1;
            std::vector<int32_t> sequences;
            std::vector<AddonSampler*> samplers;
            std::vector<llama_token> promptTokens;
        };
        struct Result {
            std::vector<llama_token> tokens;
            std::string error;
            double timings[3] = {0, 0, 0};
        };

        AddonContext* ctx = nullptr;
        int32_t nBatch = 0;
        llama_batch batch{};
        // Per sequence, touched by the loop thread only: the next position, and the token sampled last.
        std::vector<int32_t> positions;
        std::vector<llama_token> last;
        Napi::ThreadSafeFunction onStep;
        std::thread thread;
        bool started = false;
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<Job> queue;
        bool stopping = false;
        // JS thread only: steps submitted whose onStep has not run yet.
        size_t pending = 0;

        void stop() {
            if (!started) {
                return;
            }
            started = false;
            {
                std::lock_guard<std::mutex> lock(mutex);
                stopping = true;
            }
            wake.notify_one();
            thread.join();
            llama_batch_free(batch);
            onStep.Release();
        }

        Napi::Value Dispose(const Napi::CallbackInfo& info) {
            if (pending > 0) {
                Napi::Error::New(info.Env(), "steps are still pending").ThrowAsJavaScriptException();
                return info.Env().Undefined();
            }
            if (started) {
                stop();
                ctx->Unref();
            }
            return info.Env().Undefined();
        }

        // Checks a sampler (on the JS thread: its chain is built here, the loop thread only reads it).
        bool takeSampler(const Napi::Env& env, const Napi::Value& value, Job& job) {
            AddonSampler* sampler = value.IsObject() ? Napi::ObjectWrap<AddonSampler>::Unwrap(value.As<Napi::Object>()) : nullptr;
            if (sampler == nullptr) {
                Napi::TypeError::New(env, "not a sampler").ThrowAsJavaScriptException();
                return false;
            }
            if (sampler->disposed) {
                Napi::Error::New(env, "Sampler is disposed").ThrowAsJavaScriptException();
                return false;
            }
            sampler->rebuildChainIfNeeded();
            job.samplers.push_back(sampler);
            return true;
        }

        bool validSequence(const Napi::Env& env, int64_t id) {
            if (id < 0 || id >= static_cast<int64_t>(positions.size())) {
                Napi::RangeError::New(env, "no such sequence in this context").ThrowAsJavaScriptException();
                return false;
            }
            return true;
        }

        Napi::Value SubmitPrompt(const Napi::CallbackInfo& info) {
            Napi::Env env = info.Env();
            if (!started || info.Length() < 3 || !info[0].IsNumber() || !info[1].IsTypedArray() || !(info[2].IsObject() || info[2].IsNull()) ||
                (info.Length() > 3 && !info[3].IsNumber()) || (info.Length() > 4 && !info[4].IsNumber())) {
                Napi::TypeError::New(env, started ? "submitPrompt(sequenceId, Uint32Array tokens, sampler | null, start?, copyFrom?)" : "the decode loop is disposed").ThrowAsJavaScriptException();
                return env.Undefined();
            }
            Job job;
            job.prompt = true;
            const int64_t id = info[0].As<Napi::Number>().Int64Value();
            Napi::Uint32Array tokens = info[1].As<Napi::Uint32Array>();
            if (!validSequence(env, id)) {
                return env.Undefined();
            }
            if (tokens.ElementLength() == 0) {
                Napi::RangeError::New(env, "empty prompt").ThrowAsJavaScriptException();
                return env.Undefined();
            }
            const int64_t start = info.Length() > 3 ? info[3].As<Napi::Number>().Int64Value() : 0;
            const int64_t copyFrom = info.Length() > 4 ? info[4].As<Napi::Number>().Int64Value() : -1;
            if (start < 0 || start + static_cast<int64_t>(tokens.ElementLength()) > static_cast<int64_t>(llama_n_ctx_seq(ctx->ctx)) ||
                (copyFrom >= 0 && (!validSequence(env, copyFrom) || copyFrom == id))) {
                if (!env.IsExceptionPending()) {
                    Napi::RangeError::New(env, "start or copyFrom out of range").ThrowAsJavaScriptException();
                }
                return env.Undefined();
            }
            job.start = static_cast<int32_t>(start);
            job.copyFrom = static_cast<int32_t>(copyFrom);
            job.sequences.push_back(static_cast<int32_t>(id));
            job.promptTokens.assign(tokens.Data(), tokens.Data() + tokens.ElementLength());
            if (!info[2].IsNull() && !takeSampler(env, info[2], job)) {
                return env.Undefined();
            }
            submit(env, std::move(job));
            return env.Undefined();
        }

        Napi::Value SubmitTokens(const Napi::CallbackInfo& info) {
            Napi::Env env = info.Env();
            if (!started || info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsArray()) {
                Napi::TypeError::New(env, started ? "submitTokens(Int32Array sequenceIds, samplers[])" : "the decode loop is disposed").ThrowAsJavaScriptException();
                return env.Undefined();
            }
            Napi::Int32Array ids = info[0].As<Napi::Int32Array>();
            Napi::Array samplers = info[1].As<Napi::Array>();
            if (ids.ElementLength() == 0 || ids.ElementLength() != samplers.Length() || ids.ElementLength() > static_cast<size_t>(nBatch)) {
                Napi::RangeError::New(env, "one sampler per sequence, at least one sequence and at most the batch size").ThrowAsJavaScriptException();
                return env.Undefined();
            }
            Job job;
            for (uint32_t i = 0; i < ids.ElementLength(); i++) {
                if (!validSequence(env, ids[i]) || !takeSampler(env, samplers.Get(i), job)) {
                    return env.Undefined();
                }
                job.sequences.push_back(ids[i]);
            }
            submit(env, std::move(job));
            return env.Undefined();
        }

        void submit(const Napi::Env& env, Job job) {
            // Kept alive until onStep has run for the step: the context, the samplers, this loop.
            for (auto* sampler : job.samplers) {
                sampler->Ref();
            }
            if (pending++ == 0) {
                Ref();
                onStep.Ref(env);
            }
            {
                std::lock_guard<std::mutex> lock(mutex);
                queue.push_back(std::move(job));
            }
            wake.notify_one();
        }

        void loop() {
            auto lastEnd = std::chrono::steady_clock::now();
            for (;;) {
                Job job;
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    wake.wait(lock, [this] { return stopping || !queue.empty(); });
                    if (queue.empty()) {
                        return;
                    }
                    job = std::move(queue.front());
                    queue.pop_front();
                }
                auto* result = new Result();
                const auto start = std::chrono::steady_clock::now();
                result->timings[2] = std::chrono::duration<double, std::milli>(start - lastEnd).count();
                try {
                    run(job, *result);
                } catch (const std::exception& e) {
                    result->error = e.what();
                } catch (...) {
                    result->error = "Unknown error when calling \"llama_decode\"";
                }
                lastEnd = std::chrono::steady_clock::now();
                auto samplers = std::move(job.samplers);
                const napi_status status = onStep.BlockingCall([this, result, samplers](Napi::Env env, Napi::Function fn) {
                    deliver(env, fn, result, samplers);
                });
                if (status != napi_ok) {
                    delete result;  // the environment is shutting down
                }
            }
        }

        // On the JS thread.
        void deliver(Napi::Env env, Napi::Function fn, Result* result, const std::vector<AddonSampler*>& samplers) {
            for (auto* sampler : samplers) {
                sampler->Unref();
            }
            auto tokens = Napi::Int32Array::New(env, result->tokens.size());
            for (size_t i = 0; i < result->tokens.size(); i++) {
                tokens[i] = result->tokens[i];
            }
            auto timings = Napi::Float64Array::New(env, 3);
            for (size_t i = 0; i < 3; i++) {
                timings[i] = result->timings[i];
            }
            Napi::Value error = result->error.empty() ? env.Null() : Napi::String::New(env, result->error);
            delete result;
            const bool idle = --pending == 0;
            if (idle) {
                onStep.Unref(env);
            }
            try {
                fn.Call({error, tokens, timings});
            } catch (const Napi::Error& e) {
                if (idle) {
                    Unref();
                }
                e.ThrowAsJavaScriptException();  // reported as an uncaught exception
                return;
            }
            if (idle) {
                Unref();
            }
        }

        void decode() {
            const int r = llama_decode(ctx->ctx, batch);
            if (r != 0) {
                throw std::runtime_error(r == 1 ? "could not find a KV slot for the batch (try reducing the size of the batch or increase the context)"
                                                : "Eval has failed");
            }
        }

        void add(int32_t sequence, llama_token token, bool logits) {
            const int32_t i = batch.n_tokens++;
            batch.token[i] = token;
            batch.pos[i] = positions[sequence]++;
            batch.n_seq_id[i] = 1;
            batch.seq_id[i][0] = sequence;
            batch.logits[i] = logits;
        }

        void run(Job& job, Result& result) {
            if (ctx->disposed) {
                throw std::runtime_error("Context is disposed");
            }
            const auto started = std::chrono::steady_clock::now();
            std::vector<int32_t> outputs;
            if (job.prompt) {
                const int32_t sequence = job.sequences[0];
                const bool sample = !job.samplers.empty();
                llama_memory_t memory = llama_get_memory(ctx->ctx);
                if (job.copyFrom >= 0) {
                    // Across streams (node-llama-cpp never unifies the KV cache) llama.cpp copies the whole stream,
                    // on the device, at the next decode; the cells past `start` are removed below.
                    llama_memory_seq_rm(memory, sequence, -1, -1);
                    llama_memory_seq_cp(memory, job.copyFrom, sequence, -1, -1);
                }
                if (!llama_memory_seq_rm(memory, sequence, job.start, -1)) {
                    throw std::runtime_error("could not remove the sequence's cells from position " + std::to_string(job.start));
                }
                positions[sequence] = job.start;
                last[sequence] = -1;
                const size_t n = job.promptTokens.size();
                for (size_t offset = 0; offset < n; offset += nBatch) {
                    const size_t end = std::min(n, offset + nBatch);
                    batch.n_tokens = 0;
                    for (size_t i = offset; i < end; i++) {
                        add(sequence, job.promptTokens[i], sample && i == n - 1);
                    }
                    decode();
                }
                if (sample) {
                    outputs.push_back(batch.n_tokens - 1);
                }
            } else {
                batch.n_tokens = 0;
                for (size_t i = 0; i < job.sequences.size(); i++) {
                    const int32_t sequence = job.sequences[i];
                    if (last[sequence] < 0) {
                        throw std::runtime_error("sequence " + std::to_string(sequence) + " has no sampled token to decode");
                    }
                    add(sequence, last[sequence], true);
                    outputs.push_back(static_cast<int32_t>(i));
                }
                decode();
            }
            llama_synchronize(ctx->ctx);
            const auto decoded = std::chrono::steady_clock::now();
            result.error = sampleOutputs(ctx->ctx, job.samplers, outputs, result.tokens);
            for (size_t i = 0; i < result.tokens.size(); i++) {
                last[job.sequences[i]] = result.tokens[i];
            }
            result.timings[0] = std::chrono::duration<double, std::milli>(decoded - started).count();
            result.timings[1] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - decoded).count();
        }
};

}  // namespace

void addonBatchSamplingInit(Napi::Object exports) {
    AddonDecodeLoop::init(exports);
}
