import { getLlama, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyGguf, tinyRef, type TinyRef } from "../../test/helpers/tiny-gguf";
import { BatchDecoder, type BatchDecoderOptions } from "./batch-decoder";
import { hasBatchSampling } from "./native-llama";
import type { StepRunner } from "./step-runner";

// Serving under load on the fixture GGUF: requests arriving while others generate (continuous batching with chunked
// prefill) and the prefix cache, each checked against the greedy tokens of the same prompt decoded alone.

let llama: Llama;
let model: LlamaModel;
let ref: TinyRef;
const MAX_TOKENS = 16;

beforeAll(async () => {
  let gguf: string;
  [llama, gguf, ref] = await Promise.all([getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" as never }), tinyGguf(), tinyRef()]);
  model = await llama.loadModel({ modelPath: gguf });
});

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
});

// The native decode loop where this machine's addon was built with it (a source build), and node-llama-cpp's calls always.
const runnerKinds = () => (hasBatchSampling(llama) ? [false, true] : [false]);

type Decoder = { decoder: BatchDecoder; steps: Array<{ kind: "prompt" | "token"; ids: number[]; start?: number; copyFrom?: number; last?: boolean }>; close(): Promise<void> };

/** A decoder on a fresh context whose runner records every step submitted. */
async function decoder(sequences: number, options: BatchDecoderOptions): Promise<Decoder> {
  const context = await model.createContext({ sequences, contextSize: 256, threads: 1 });
  const decoder = new BatchDecoder(model, context, options);
  const holder = decoder as unknown as { runner: StepRunner };
  const runner = holder.runner;
  const steps: Decoder["steps"] = [];
  holder.runner = {
    copies: runner.copies,
    submitPrompt: (id, tokens, sampler, start = 0, copyFrom = -1) => {
      steps.push({ kind: "prompt", ids: [id], start, copyFrom, last: sampler !== null });
      runner.submitPrompt(id, tokens, sampler, start, copyFrom);
    },
    submitTokens: (ids, samplers) => (steps.push({ kind: "token", ids: [...ids] }), runner.submitTokens(ids, samplers)),
    dispose: () => runner.dispose(),
  };
  return {
    decoder,
    steps,
    close: async () => {
      await decoder.dispose();
      await context.dispose();
    },
  };
}

/** Runs `prompts` on the decoder's sequences (a request waits for a free one); `startAfter(i)` resolves when request i may start. */
async function serve(d: BatchDecoder, sequences: number, prompts: Token[][], startAfter: (i: number, progress: number[]) => Promise<void> = async () => {}) {
  const free = Array.from({ length: sequences }, (_, i) => sequences - 1 - i);
  const waiters: Array<(id: number) => void> = [];
  const progress = prompts.map(() => 0);
  return Promise.all(
    prompts.map(async (prompt, i) => {
      await startAfter(i, progress);
      const id = free.pop() ?? (await new Promise<number>((res) => waiters.push(res)));
      const out: Token[] = [];
      try {
        for await (const t of d.sequence(id).generate(prompt, { temperature: 0, yieldEog: true, maxTokens: MAX_TOKENS })) {
          out.push(t);
          progress[i] = out.length;
        }
      } finally {
        const next = waiters.shift();
        if (next) next(id);
        else free.push(id);
      }
      return out;
    }),
  );
}

/** Each prompt decoded alone on a one-sequence context, whole, without the prefix cache. */
async function alone(prompts: Token[][]): Promise<Token[][]> {
  const d = await decoder(1, { prefixCacheTokens: 0, prefillChunk: 256 });
  try {
    const outs: Token[][] = [];
    for (const p of prompts) outs.push(...(await serve(d.decoder, 1, [p])));
    return outs;
  } finally {
    await d.close();
  }
}

const promptIds = () => ref.prompts.map((p) => p.input_ids as Token[]);
/** A prefix longer than MIN_COPY_GAIN: every fixture prompt, twice (92 tokens). */
const sharedPrefix = () => [...promptIds().flat(), ...promptIds().flat()] as Token[];

describe("serving under load", () => {
  it("gives each request of staggered arrivals the greedy tokens it gets alone, its prompt decoded in chunks between the others' token steps", async () => {
    const prompts = [...promptIds(), sharedPrefix()];
    const want = await alone(prompts);
    for (const batchSampling of runnerKinds()) {
      const d = await decoder(3, { batchSampling, prefillChunk: 4, prefixCacheTokens: 0 });
      try {
        // Request i arrives once request i-1 has 3 tokens: each arrives while others generate.
        const got = await serve(d.decoder, 3, prompts, async (i, progress) => {
          while (i > 0 && progress[i - 1]! < 3) await new Promise<void>((res) => setImmediate(res));
        });
        expect(got).toEqual(want);
        // The long prompt (92 tokens, the last to arrive) went in 23 chunks of 4, with token steps of the others between them.
        const longId = d.steps.filter((s) => s.kind === "prompt" && s.start === 0).at(-1)!.ids[0]!;
        const chunks = d.steps.map((s, i) => ({ s, i })).filter(({ s }) => s.kind === "prompt" && s.ids[0] === longId).slice(-23);
        expect(chunks.map(({ s }) => s.start)).toEqual(Array.from({ length: 23 }, (_, k) => 4 * k));
        expect(chunks.map(({ s }) => s.last)).toEqual([...Array<boolean>(22).fill(false), true]);
        // Chunks and token steps take turns: never two token steps between two chunks, and the others went on.
        const gaps = chunks.slice(1).map(({ i }, k) => d.steps.slice(chunks[k]!.i + 1, i).filter((s) => s.kind === "token").length);
        expect(Math.max(...gaps)).toBeLessThanOrEqual(1);
        expect(gaps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      } finally {
        await d.close();
      }
    }
  });

  it("gives a one-token request its first greedy token, also while its prompt waits behind another's chunks", async () => {
    const prompts = [sharedPrefix(), ...promptIds()];
    const want = (await alone(prompts)).map((t) => t.slice(0, 1));
    for (const batchSampling of runnerKinds()) {
      const d = await decoder(prompts.length, { batchSampling, prefillChunk: 4, prefixCacheTokens: 0 });
      try {
        const got = await Promise.all(
          prompts.map(async (prompt, id) => {
            const out: Token[] = [];
            for await (const t of d.decoder.sequence(id).generate(prompt, { temperature: 0, yieldEog: true, maxTokens: 1 })) out.push(t);
            return out;
          }),
        );
        expect(got).toEqual(want);
      } finally {
        await d.close();
      }
    }
  });

  it("gives the same greedy tokens with the prefix cache on and off: a shared prefix (copied where the runner copies) and a chat's next turn", async () => {
    const prefix = sharedPrefix();
    const items = promptIds().map((p) => [...prefix, ...p] as Token[]);
    for (const batchSampling of runnerKinds()) {
      const run = async (prefixCacheTokens: number) => {
        const d = await decoder(3, { batchSampling, prefixCacheTokens });
        try {
          // A two-turn chat on the first item, then a batch of items sharing the prefix, all at once.
          const [turn1] = await serve(d.decoder, 3, [items[0]!]);
          const [chat] = await serve(d.decoder, 3, [[...items[0]!, ...turn1!, ...promptIds()[1]!] as Token[]]);
          const batch = await serve(d.decoder, 3, items);
          return { batch, chat: [turn1, chat], stats: { ...d.decoder.stats }, steps: d.steps };
        } finally {
          await d.close();
        }
      };
      const off = await run(0);
      const on = await run(10_000);
      expect(on.batch).toEqual(off.batch);
      expect(on.chat).toEqual(off.chat);
      expect(off.stats.cachedTokens).toBe(0);
      // The chat's second turn starts after its first turn's tokens on the sequence that held them.
      const turn2Start = items[0]!.length + MAX_TOKENS - 1;
      expect(on.steps.find((s) => s.kind === "prompt" && s.start! > 0)).toMatchObject({ ids: [0], start: turn2Start, copyFrom: -1 });
      if (batchSampling) {
        // The native loop copies: the first item decodes the prefix, the others copy it.
        expect(on.stats.copiedTokens).toBeGreaterThanOrEqual(prefix.length * 2);
        expect(on.stats.promptTokens).toBeLessThan(off.stats.promptTokens - prefix.length * 2);
      } else {
        expect(on.stats.copiedTokens).toBe(0);
      }
      expect(on.stats.cachedTokens).toBeGreaterThanOrEqual(turn2Start);
    }
  });

  it("loses no request when a small cache budget evicts, and keeps what it holds within the budget", async () => {
    const ids = promptIds();
    // Three prefixes, four requests on each, over 3 sequences, with room for one held prompt.
    const prefixes = [sharedPrefix(), [...ids[5]!, ...ids[4]!, ...ids[3]!, ...ids[2]!, ...ids[1]!].concat(sharedPrefix().slice(0, 40)), sharedPrefix().reverse()] as Token[][];
    const prompts = Array.from({ length: 12 }, (_, i) => [...prefixes[i % 3]!, ...ids[i % ids.length]!] as Token[]);
    const want = await alone(prompts);
    for (const batchSampling of runnerKinds()) {
      const d = await decoder(3, { batchSampling, prefixCacheTokens: 120 });
      try {
        const got = await serve(d.decoder, 3, prompts);
        expect(got).toEqual(want);
        const cache = d.decoder.prefixCache!;
        expect(cache.heldTokens()).toBeLessThanOrEqual(120);
        expect(cache.sequences().length).toBeLessThan(3);
      } finally {
        await d.close();
      }
    }
  });
});
