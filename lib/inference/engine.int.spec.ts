import { getLlama, type Llama, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyGguf, tinyRef, type TinyRef } from "../../test/helpers/tiny-gguf";
import { BatchDecoder, type SequenceSampling } from "./batch-decoder";
import { buildPrompt } from "./build-prompt";
import { hasBatchSampling } from "./native-llama";
import { ModelResidency } from "./residency";
import { runGeneration } from "./run-generation";
import { samplingParams } from "../generation/sampling";
import type { StepRunner } from "./step-runner";

let llama: Llama;
let gguf: string;
let ref: TinyRef;
const greedy = samplingParams.parse({ temperature: 0, maxTokens: 32 });
const residency = (sequences: number, budgetBytes = 2 ** 30) => new ModelResidency({ llama, budgetBytes, sequencesFor: () => sequences, contextSize: 256, threads: 1 });

beforeAll(async () => {
  [llama, gguf, ref] = await Promise.all([getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" as never }), tinyGguf(), tinyRef()]);
});

afterAll(async () => {
  await llama?.dispose();
});

describe("the inference engine on the fixture GGUF", () => {
  it("tokenizes prompts and the Llama 2 chat format exactly like the reference", async () => {
    const r = residency(1);
    const lease = await r.acquire({ modelPath: gguf });
    try {
      for (const p of ref.prompts) expect(buildPrompt({ model: lease.model, input: { mode: "completion", prompt: p.prompt } })).toEqual(p.input_ids);
      const chat = ref.llama2_chat_format;
      expect(buildPrompt({ model: lease.model, input: { mode: "chat", messages: chat.messages, chatFormat: "llama2" } })).toEqual(chat.input_ids);
      // The fixture is a Llama 2 model without a template: "auto" resolves to the same Llama 2 format.
      expect(buildPrompt({ model: lease.model, input: { mode: "chat", messages: chat.messages, chatFormat: "auto" } })).toEqual(chat.input_ids);
    } finally {
      lease.release();
      await r.dispose();
    }
  });

  it("gives the same greedy tokens in 4 parallel sequences as in one, matching ref.json", async () => {
    const run = async (r: ModelResidency) =>
      Promise.all(ref.prompts.map((p) => runGeneration({ residency: r, modelPath: gguf, input: { mode: "completion", prompt: p.prompt }, sampling: greedy })));
    const one = residency(1);
    const four = residency(4);
    try {
      const [seq, par] = [await run(one), await run(four)];
      expect(seq.map((x) => x.tokens)).toEqual(ref.prompts.map((p) => p.generated_ids));
      expect(par.map((x) => x.tokens)).toEqual(seq.map((x) => x.tokens));
      expect(par.map((x) => x.text)).toEqual(seq.map((x) => x.text));
    } finally {
      await Promise.all([one.dispose(), four.dispose()]);
    }
  });

  it("keeps each request's tokens to itself when requests join a busy context at random times", async () => {
    // Regression: with prompts decoded alongside other sequences' tokens, llama.cpp sometimes handed one sequence
    // another's logits (see BatchDecoder).
    const r = residency(4);
    try {
      for (let rep = 0; rep < 3; rep++) {
        const outs = await Promise.all(
          Array.from({ length: 30 }, async (_, i) => {
            await new Promise((res) => setTimeout(res, Math.random() * 300));
            const p = ref.prompts[i % ref.prompts.length]!;
            return { want: p.generated_ids, got: (await runGeneration({ residency: r, modelPath: gguf, input: { mode: "completion", prompt: p.prompt }, sampling: greedy })).tokens };
          }),
        );
        expect(outs.map((o) => o.got)).toEqual(outs.map((o) => o.want));
      }
    } finally {
      await r.dispose();
    }
  });

  // The native decode loop where this machine's addon was built with it (a source build), and node-llama-cpp's calls always.
  const runnerKinds = () => (hasBatchSampling(llama) ? [false, true] : [false]);

  it("decodes one token of every generating sequence per step, the next step submitted while one runs", async () => {
    const model = await llama.loadModel({ modelPath: gguf });
    try {
      for (const batchSampling of runnerKinds()) {
        const context = await model.createContext({ sequences: 4, contextSize: 256, threads: 1 });
        const decoder = new BatchDecoder(model, context, { batchSampling });
        expect(decoder.batchSamplingActive).toBe(batchSampling);
        // Record every step submitted to the runner, with the token steps still running at that moment.
        const holder = decoder as unknown as { runner: StepRunner };
        const runner = holder.runner;
        const steps: Array<{ prompt?: number; ids?: number[]; running?: number }> = [];
        let tokenSteps = 0;
        holder.runner = {
          copies: runner.copies,
          submitPrompt: (id, tokens, sampler, ...rest) => (steps.push({ prompt: tokens.length, ids: [id] }), runner.submitPrompt(id, tokens, sampler, ...rest)),
          submitTokens: (ids, samplers) => (steps.push({ ids: [...ids], running: tokenSteps++ - decoder.stats.steps }), runner.submitTokens(ids, samplers)),
          dispose: () => runner.dispose(),
        };
        const prompts = ref.prompts.slice(0, 4).map((p) => p.input_ids as Token[]);
        const outs = await Promise.all(
          prompts.map(async (prompt, i) => {
            const got: Token[] = [];
            for await (const t of decoder.sequence(i).generate(prompt, { temperature: 0, yieldEog: true, maxTokens: 32 })) got.push(t);
            return got;
          }),
        );
        await decoder.dispose();
        expect(outs).toEqual(ref.prompts.slice(0, 4).map((p) => p.generated_ids));
        // Each prompt alone (shorter than a prefill chunk), in arrival order; the sequences whose prompts are in
        // generate meanwhile (continuous batching), in id order; from then on every step has all 4 until each has
        // been in 31 token steps (tokens 2-32; none is run ahead past maxTokens).
        const promptSteps = steps.filter((s) => s.prompt !== undefined);
        expect(promptSteps).toEqual(prompts.map((p, i) => ({ prompt: p.length, ids: [i] })));
        const lastPrompt = steps.indexOf(promptSteps.at(-1)!);
        const tokenStepList = steps.filter((s) => s.prompt === undefined);
        tokenStepList.forEach((s) => {
          expect(s.ids).toEqual([...s.ids!].sort((a, b) => a - b));
          for (const id of s.ids!) expect(steps.indexOf(promptSteps[id]!)).toBeLessThan(steps.indexOf(s));
        });
        // (The token step queued behind the last prompt cannot have its sequence yet.)
        const seen = [0, 0, 0, 0];
        steps.forEach((s, i) => {
          if (i >= lastPrompt + 2) expect(s.ids).toEqual([0, 1, 2, 3].filter((id) => seen[id]! < 31));
          if (s.prompt === undefined) for (const id of s.ids!) seen[id]!++;
        });
        expect(seen).toEqual([31, 31, 31, 31]);
        // Never more than one token step running when the next is submitted, and the second is always submitted while the first runs.
        expect(Math.max(...tokenStepList.map((s) => s.running!))).toBe(1);
        // DecoderStats count the token steps only, and time each part of them.
        expect(decoder.stats).toMatchObject({ steps: tokenStepList.length, tokens: 4 * 31 });
        expect(decoder.stats.decodeMs).toBeGreaterThan(0);
        expect(decoder.stats.sampleMs).toBeGreaterThan(0);
        expect(decoder.stats.idleMs).toBeGreaterThanOrEqual(0);
        await context.dispose();
      }
    } finally {
      await model.dispose();
    }
  });

  it("samples exactly as node-llama-cpp's own sequence evaluation (repeat penalty; seeded top-k/top-p)", async () => {
    const model = await llama.loadModel({ modelPath: gguf });
    try {
      const prompt = ref.prompts[1]!.input_ids as Token[];
      const settings: SequenceSampling[] = [
        { temperature: 0, repeatPenalty: 1.5 },
        { temperature: 0.9, topK: 20, topP: 0.8, seed: 7 },
      ];
      for (const { repeatPenalty, ...s } of settings) {
        const theirs: Token[] = [];
        const ctx = await model.createContext({ sequences: 1, contextSize: 256, threads: 1 });
        for await (const t of ctx.getSequence().evaluate(prompt, { ...s, ...(repeatPenalty ? { repeatPenalty: { penalty: repeatPenalty, punishTokens: () => theirs } } : {}) })) {
          theirs.push(t);
          if (theirs.length === 24) break;
        }
        await ctx.dispose();
        for (const batchSampling of runnerKinds()) {
          const ours: Token[] = [];
          const ctx2 = await model.createContext({ sequences: 1, contextSize: 256, threads: 1 });
          const decoder = new BatchDecoder(model, ctx2, { batchSampling });
          for await (const t of decoder.sequence(0).generate(prompt, { ...s, ...(repeatPenalty ? { repeatPenalty } : {}) })) {
            ours.push(t);
            if (ours.length === 24) break;
          }
          await decoder.dispose();
          await ctx2.dispose();
          expect(ours).toEqual(theirs);
        }
      }
    } finally {
      await model.dispose();
    }
  });

  it("stops at a stop string without returning it, and reports finish reasons", async () => {
    const r = residency(1);
    try {
      const full = await runGeneration({ residency: r, modelPath: gguf, input: { mode: "completion", prompt: ref.prompts[0]!.prompt }, sampling: greedy });
      expect(full.finishReason).toBe("length");
      const stop = full.text.slice(10, 16);
      const cut = await runGeneration({ residency: r, modelPath: gguf, input: { mode: "completion", prompt: ref.prompts[0]!.prompt }, sampling: { ...greedy, stop: [stop] } });
      expect(cut.finishReason).toBe("stop");
      expect(cut.text).toBe(full.text.slice(0, full.text.indexOf(stop)));
      const streamed: string[] = [];
      await runGeneration({ residency: r, modelPath: gguf, input: { mode: "completion", prompt: ref.prompts[0]!.prompt }, sampling: greedy, onText: (t) => streamed.push(t) });
      expect(streamed.join("")).toBe(full.text);
    } finally {
      await r.dispose();
    }
  });

  it("follows a JSON schema grammar", async () => {
    const r = residency(1);
    try {
      // Closed choices, so even this random-weights model must finish the object within the token limit.
      const schema = { type: "object", properties: { answer: { enum: ["yes", "no"] }, sure: { type: "boolean" } }, required: ["answer", "sure"] };
      const out = await runGeneration({ residency: r, modelPath: gguf, input: { mode: "completion", prompt: "JSON:" }, sampling: { ...greedy, maxTokens: 200, temperature: 0.8, seed: 1, jsonSchema: schema } });
      const parsed = JSON.parse(out.text) as { answer: string; sure: boolean };
      expect(["yes", "no"]).toContain(parsed.answer);
      expect(typeof parsed.sure).toBe("boolean");
    } finally {
      await r.dispose();
    }
  });

  it("is reproducible with a seed at temperature > 0", async () => {
    const r = residency(2);
    try {
      const s = { ...greedy, temperature: 0.9, seed: 42 };
      const input = { mode: "completion" as const, prompt: "Hello" };
      const [a, b] = await Promise.all([runGeneration({ residency: r, modelPath: gguf, input, sampling: s }), runGeneration({ residency: r, modelPath: gguf, input, sampling: s })]);
      expect(a.tokens).toEqual(b.tokens);
    } finally {
      await r.dispose();
    }
  });

  it("unloads the least recently used idle model when a load would exceed the budget", async () => {
    const { copyFile, mkdtemp } = await import("node:fs/promises");
    const path = await import("node:path");
    const os = await import("node:os");
    const dir = await mkdtemp(path.join(os.tmpdir(), "depot-residency-"));
    const second = path.join(dir, "second.gguf");
    await copyFile(gguf, second);
    // Room for one model (about 11 MiB each with overhead), not two.
    const r = residency(1, 16 * 2 ** 20);
    try {
      (await r.acquire({ modelPath: gguf })).release();
      expect(r.resident()).toEqual([gguf]);
      const lease = await r.acquire({ modelPath: second });
      expect(r.resident()).toEqual([second]);
      // While `second` is busy, a load of the first waits for it instead of evicting it.
      let loaded = false;
      const pending = r.acquire({ modelPath: gguf }).then((l) => ((loaded = true), l));
      await new Promise((res) => setTimeout(res, 200));
      expect(loaded).toBe(false);
      lease.release();
      (await pending).release();
      expect(r.resident()).toEqual([gguf]);
    } finally {
      await r.dispose();
    }
  });
});
