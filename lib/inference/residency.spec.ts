import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ModelResidency } from "./residency";

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "residency-spec-"));
  file = path.join(dir, "m.gguf");
  await writeFile(file, Buffer.alloc(1024));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in Llama whose models have one context of 2 sequences and nothing native behind them. */
function fakeLlama(gpu: Llama["gpu"]): Llama {
  const context = { totalSequences: 2, contextSize: 256, batchSize: 512, _ctx: {} };
  const model = { createContext: async () => context, dispose: async () => {}, trainContextSize: 4096, _llama: { _bindings: { AddonSampler: class {} } } };
  return { gpu, loadModel: async () => model } as unknown as Llama;
}

/** setImmediate calls made while `ms` pass. */
async function immediatesDuring(ms: number): Promise<number> {
  const spy = vi.spyOn(global, "setImmediate");
  await new Promise((r) => setTimeout(r, ms));
  const n = spy.mock.calls.length;
  spy.mockRestore();
  return n;
}

describe("ModelResidency busy polling", () => {
  it("keeps the event loop polling while a sequence is lent on a GPU, and stops when the last one is back", async () => {
    const r = new ModelResidency({ llama: fakeLlama("cuda"), budgetBytes: 2 ** 30, sequencesFor: () => 2, contextSize: 256 });
    const a = await r.acquire({ modelPath: file });
    const b = await r.acquire({ modelPath: file });
    expect(await immediatesDuring(20)).toBeGreaterThan(20);
    a.release();
    expect(await immediatesDuring(20)).toBeGreaterThan(20);
    b.release();
    await new Promise((res) => setImmediate(res));
    expect(await immediatesDuring(20)).toBe(0);
    await r.dispose();
  });

  it("does not poll on the CPU backend unless asked to", async () => {
    const cpu = new ModelResidency({ llama: fakeLlama(false), budgetBytes: 2 ** 30, sequencesFor: () => 1, contextSize: 256 });
    const lease = await cpu.acquire({ modelPath: file });
    expect(await immediatesDuring(20)).toBe(0);
    lease.release();
    const asked = new ModelResidency({ llama: fakeLlama(false), budgetBytes: 2 ** 30, sequencesFor: () => 1, contextSize: 256, busyPoll: true });
    const l2 = await asked.acquire({ modelPath: file });
    expect(await immediatesDuring(20)).toBeGreaterThan(20);
    l2.release();
    await Promise.all([cpu.dispose(), asked.dispose()]);
  });
});
