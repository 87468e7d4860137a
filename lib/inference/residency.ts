import { stat } from "node:fs/promises";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { BatchDecoder, type DecoderSequence } from "./batch-decoder";
import type { DeviceSource, GpuDevice } from "./gpu-devices";
import { candidatePlacements, fittingPlacement, refusal, type Placement, type SplitSettings } from "./gpu-placement";
import { recordPlacement, recordSequences } from "./llama";
import { loadModelSplit } from "./model-split";
import { CancelledError } from "../errors";

export type Lease = { model: LlamaModel; decoder: BatchDecoder; sequence: DecoderSequence; release: () => void };

export type ResidencyOptions = {
  llama: Llama;
  /** Bytes of RAM (CPU) or VRAM (GPU) the resident models may use together; with `devices`, shared out in proportion to each GPU's memory. */
  budgetBytes: number;
  /** The worker's GPUs, each budgeted on its own; absent (or none listed): one budget, as on a CPU. */
  devices?: DeviceSource;
  /** How a model is placed on several GPUs (default: a layer split in proportion to free VRAM, llama.cpp's default). */
  split?: SplitSettings;
  /**
   * Parallel sequences for a model file (each is one request at a time); `modelBytes`: its file size; `gpus`: the free
   * memory of each GPU it will be placed on and its share of the model there (absent without `devices`).
   */
  sequencesFor: (modelPath: string, modelBytes: number, gpus?: Array<{ freeBytes: number; share: number }>) => number | Promise<number>;
  /** Tokens per sequence (prompt + output). */
  contextSize: number;
  /** CPU threads per context; 0 lets node-llama-cpp decide. */
  threads?: number;
  /**
   * Keep the event loop polling (a setImmediate loop) while any sequence is lent, so that the native completions of
   * each decode and sampling call are picked up at once instead of waking a sleeping main thread (on an H100: 0 to
   * +0.07, mostly +0.02 to +0.05, of llama-batched-bench's decode throughput; bench/results/gpu-2026-11-27.md).
   * Costs one CPU core while generating. Default: on with a GPU backend, off on the CPU (where that core would be
   * taken from the decode).
   */
  busyPoll?: boolean;
  /** BatchDecoder's batchSampling (default on; the GPU bench turns it off to measure without it). */
  batchSampling?: boolean;
  /** BatchDecoder's prefillChunk and prefixCacheTokens (defaults: PREFILL_CHUNK; every token of the context). */
  prefillChunk?: number;
  prefixCacheTokens?: number;
};

type Entry = {
  path: string;
  /** Bytes charged to each device (its share of the model's estimated need); one entry without devices. */
  charges: number[];
  ready: Promise<{ model: LlamaModel; decoder: BatchDecoder }>;
  /** Free sequence ids, highest first: pop() lends the lowest, so the ids decoding together stay contiguous (see BatchDecoder). */
  free: number[];
  waiters: Array<(id: number) => void>;
  leased: number;
  lastUsed: number;
};

/** Weights plus a margin for the KV cache and compute buffers; node-llama-cpp measures the real need at load. */
const OVERHEAD = 1.25;

/**
 * Keeps GGUF models loaded within a memory budget and lends out their context sequences. Each resident model
 * has one context with N sequences, so concurrent requests for it are decoded by llama.cpp in one batch.
 * Loading a model that does not fit unloads the least recently used idle models first; if every resident
 * model is busy, the load waits until one is released.
 */
export class ModelResidency {
  private readonly entries = new Map<string, Entry>();
  private readonly idleWaiters: Array<() => void> = [];
  private lent = 0;
  private polling = false;

  constructor(private readonly opts: ResidencyOptions) {}

  get llama(): Llama {
    return this.opts.llama;
  }

  /** Paths of the resident models, most recently used first. */
  resident(): string[] {
    return [...this.entries.values()].sort((a, b) => b.lastUsed - a.lastUsed).map((e) => e.path);
  }

  async acquire(params: { modelPath: string; signal?: AbortSignal }): Promise<Lease> {
    const entry = this.entries.get(params.modelPath) ?? (await this.load(params.modelPath, params.signal));
    const { model, decoder } = await entry.ready;
    entry.leased++;
    entry.lastUsed = Date.now();
    const id =
      entry.free.pop() ??
      (await new Promise<number>((resolve, reject) => {
        entry.waiters.push(resolve);
        params.signal?.addEventListener(
          "abort",
          () => {
            const i = entry.waiters.indexOf(resolve);
            if (i < 0) return;
            entry.waiters.splice(i, 1);
            entry.leased--;
            reject(new CancelledError());
          },
          { once: true },
        );
      }));
    let released = false;
    this.lentChanged(+1);
    return {
      model,
      decoder,
      sequence: decoder.sequence(id),
      release: () => {
        if (released) return;
        released = true;
        this.lentChanged(-1);
        entry.lastUsed = Date.now();
        const next = entry.waiters.shift();
        if (next) return next(id);
        entry.free.push(id);
        entry.free.sort((a, b) => b - a);
        if (--entry.leased === 0) this.idleWaiters.splice(0).forEach((w) => w());
      },
    };
  }

  private lentChanged(delta: number): void {
    this.lent += delta;
    if (!(this.opts.busyPoll ?? this.opts.llama.gpu !== false) || this.polling || this.lent === 0) return;
    this.polling = true;
    const poll = () => {
      if (this.lent > 0) setImmediate(poll);
      else this.polling = false;
    };
    setImmediate(poll);
  }

  async dispose(): Promise<void> {
    for (const e of [...this.entries.values()]) await this.unload(e);
  }

  /** Bytes charged to each device by the resident models. */
  usedBytes(): number[] {
    const used: number[] = [];
    for (const e of this.entries.values()) e.charges.forEach((c, i) => (used[i] = (used[i] ?? 0) + c));
    return used;
  }

  /** Each device's part of the budget, in proportion to its memory; the whole budget without devices. */
  private budgets(devices: GpuDevice[]): number[] {
    const total = devices.reduce((a, d) => a + d.totalBytes, 0);
    if (devices.length === 0 || total === 0) return [this.opts.budgetBytes];
    return devices.map((d) => (this.opts.budgetBytes * d.totalBytes) / total);
  }

  private async load(modelPath: string, signal?: AbortSignal): Promise<Entry> {
    const fileBytes = (await stat(modelPath)).size;
    const bytes = Math.ceil(fileBytes * OVERHEAD);
    const split = this.opts.split ?? { mode: "layer", proportions: null };
    let devices: GpuDevice[];
    let chosen: Placement | null;
    for (;;) {
      const existing = this.entries.get(modelPath);
      if (existing) return existing;
      // Asked again after each unload: a split by free VRAM follows what the unload gave back.
      devices = (await this.opts.devices?.()) ?? [];
      const budgets = this.budgets(devices);
      const candidates = candidatePlacements(devices, split, bytes);
      if (!fittingPlacement(candidates, [], budgets)) throw refusal(modelPath, bytes, devices, budgets, candidates);
      chosen = fittingPlacement(candidates, this.usedBytes(), budgets);
      if (chosen) break;
      const idle = [...this.entries.values()].filter((e) => e.leased === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (idle) await this.unload(idle);
      else await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      if (signal?.aborted) throw new CancelledError();
    }
    const placement = chosen;
    const gpus = devices.length > 0 ? devices.flatMap((d) => (placement.shares[d.index] ? [{ freeBytes: d.freeBytes, share: placement.shares[d.index]! }] : [])) : undefined;
    const entry: Entry = { path: modelPath, charges: placement.charges, free: [], waiters: [], leased: 0, lastUsed: Date.now(), ready: undefined as never };
    entry.ready = (async () => {
      // Sized before the weights take their memory (sequencesFor may read the free VRAM).
      const sequences = Math.max(1, await this.opts.sequencesFor(modelPath, fileBytes, gpus));
      const model = await loadModelSplit(this.opts.llama, modelPath, placement.native);
      recordPlacement(model, placement.shares);
      try {
        const contextSize = Math.min(this.opts.contextSize, model.trainContextSize);
        const context = await model.createContext({ sequences, contextSize, ...(this.opts.threads ? { threads: this.opts.threads } : {}) });
        entry.free.push(...Array.from({ length: sequences }, (_, i) => sequences - 1 - i));
        recordSequences(model, sequences);
        const { batchSampling, prefillChunk, prefixCacheTokens } = this.opts;
        return { model, decoder: new BatchDecoder(model, context, { batchSampling, prefillChunk, prefixCacheTokens }) };
      } catch (err) {
        await model.dispose();
        throw err;
      }
    })();
    this.entries.set(modelPath, entry);
    entry.ready.catch(() => this.entries.delete(modelPath));
    return entry;
  }

  private async unload(entry: Entry): Promise<void> {
    this.entries.delete(entry.path);
    const { model, decoder } = await entry.ready.catch(() => ({ model: null, decoder: null }));
    // The decoder first: its native loop may still run a step ahead for requests that have ended.
    await decoder?.dispose();
    // Disposing the model disposes its context and sequences (node-llama-cpp's object lifecycle).
    await model?.dispose();
  }
}
