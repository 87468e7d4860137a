import { getLlama, type Llama, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyGguf, tinyRef, type TinyRef } from "../../test/helpers/tiny-gguf";
import { BatchDecoder, type SequenceSampling } from "./batch-decoder";
import { buildPrompt } from "./build-prompt";
import { ModelResidency } from "./residency";
import { runGeneration } from "./run-generation";
import { samplingParams } from "./sampling";

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

  it("decodes one token of every generating sequence in each llama_decode", async () => {
    const model = await llama.loadModel({ modelPath: gguf });
    try {
      const context = await model.createContext({ sequences: 4, contextSize: 256, threads: 1 });
      // Record the size of every batch the decoder asks the native context for.
      const holder = context as unknown as { _ctx: Record<string, (...a: unknown[]) => unknown> };
      const native = holder._ctx;
      const batches: number[] = [];
      holder._ctx = new Proxy(native, {
        get: (t, k: string) => (k === "initBatch" ? (n: number) => (batches.push(n), t.initBatch!(n)) : typeof t[k] === "function" ? t[k].bind(t) : t[k]),
      });
      const decoder = new BatchDecoder(model, context, { batchSampling: false });
      const prompts = ref.prompts.slice(0, 4).map((p) => p.input_ids as Token[]);
      const outs = await Promise.all(
        prompts.map(async (prompt, i) => {
          const got: Token[] = [];
          for await (const t of decoder.sequence(i).generate(prompt, { temperature: 0, yieldEog: true })) if (got.push(t) === 32) break;
          return got;
        }),
      );
      expect(outs).toEqual(ref.prompts.slice(0, 4).map((p) => p.generated_ids));
      // Each prompt alone (in sequence id order), then 31 steps of one token from each of the 4 (the 32nd token needs no decode).
      expect(batches).toEqual([...prompts.map((p) => p.length), ...Array<number>(31).fill(4)]);
      // DecoderStats count the token steps only, and time each part of them.
      expect(decoder.stats).toMatchObject({ steps: 31, tokens: 31 * 4 });
      expect(decoder.stats.decodeMs).toBeGreaterThan(0);
      expect(decoder.stats.sampleMs).toBeGreaterThan(0);
      expect(decoder.stats.hostMs).toBeGreaterThan(0);
      await context.dispose();
    } finally {
      await model.dispose();
    }
  });

  it("samples exactly as node-llama-cpp's own sequence evaluation (repeat penalty; seeded top-k/top-p)", async () => {
    const model = await llama.loadModel({ modelPath: gguf });
    try {
      const prompt = ref.prompts[1]!.input_ids as Token[];
      const settings: Array<Omit<SequenceSampling, "repeatPenalty"> & { penalty?: number }> = [
        { temperature: 0, penalty: 1.5 },
        { temperature: 0.9, topK: 20, topP: 0.8, seed: 7 },
      ];
      for (const { penalty, ...s } of settings) {
        const theirs: Token[] = [];
        const ctx = await model.createContext({ sequences: 1, contextSize: 256, threads: 1 });
        for await (const t of ctx.getSequence().evaluate(prompt, { ...s, ...(penalty ? { repeatPenalty: { penalty, punishTokens: () => theirs } } : {}) })) {
          theirs.push(t);
          if (theirs.length === 24) break;
        }
        await ctx.dispose();
        const ours: Token[] = [];
        const ctx2 = await model.createContext({ sequences: 1, contextSize: 256, threads: 1 });
        const seq = new BatchDecoder(model, ctx2).sequence(0);
        for await (const t of seq.generate(prompt, { ...s, ...(penalty ? { repeatPenalty: { penalty, punishTokens: () => ours } } : {}) })) {
          ours.push(t);
          if (ours.length === 24) break;
        }
        await ctx2.dispose();
        expect(ours).toEqual(theirs);
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
