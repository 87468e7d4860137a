import { describe, expect, it } from "vitest";
import { kvBytesPerToken, MAX_AUTO_SEQUENCES, sizeSequences, sizeSequencesOnGpus } from "./sequence-sizing";

const GiB = 2 ** 30;
// Llama-2-7B: 32 layers, 4096 wide, 32 heads, no grouped-query attention: 0.5 MiB of f16 KV per token.
const llama2 = kvBytesPerToken({ layers: 32, embedding: 4096, heads: 32, kvHeads: 32 });

describe("sequences sized to the card", () => {
  it("computes the KV cache per token, grouped-query attention included", () => {
    expect(llama2).toBe(512 * 1024);
    // Llama-3-8B: 8 KV heads of 32: a quarter.
    expect(kvBytesPerToken({ layers: 32, embedding: 4096, heads: 32, kvHeads: 8 })).toBe(128 * 1024);
  });

  it("fits as many sequences as the free VRAM holds beside the model, capped at 32", () => {
    // An H200 (139 GiB free), a 3.8 GB Q4_0 7B at 2,048 tokens per sequence (1 GiB each): capped.
    expect(sizeSequences({ gpu: true, freeBytes: 139 * GiB, modelBytes: 3.8e9, kvBytesPerToken: llama2, contextSize: 2048 })).toBe(MAX_AUTO_SEQUENCES.gpu);
    // A 24 GiB card, the same model: (24 GiB - 1.1 × 3.8 GB - 2 GiB reserved) / 1 GiB per sequence.
    expect(sizeSequences({ gpu: true, freeBytes: 24 * GiB, modelBytes: 3.8e9, kvBytesPerToken: llama2, contextSize: 2048 })).toBe(18);
    // A longer context halves it.
    expect(sizeSequences({ gpu: true, freeBytes: 24 * GiB, modelBytes: 3.8e9, kvBytesPerToken: llama2, contextSize: 4096 })).toBe(9);
  });

  it("never gives fewer than 1, and few on a CPU", () => {
    expect(sizeSequences({ gpu: true, freeBytes: 4 * GiB, modelBytes: 3.8e9, kvBytesPerToken: llama2, contextSize: 2048 })).toBe(1);
    expect(sizeSequences({ gpu: false, freeBytes: 64 * GiB, modelBytes: 3.8e9, kvBytesPerToken: llama2, contextSize: 2048 })).toBe(MAX_AUTO_SEQUENCES.cpu);
  });

  it("on a model split over GPUs, each holds its share of the weights and KV cache, and the fullest sets the count", () => {
    // Two 24 GiB cards, half each: each holds 1.9 GB of weights, its 2 GiB reserve and half a GiB per sequence.
    const half = { freeBytes: 24 * GiB, share: 0.5 };
    expect(sizeSequencesOnGpus({ gpus: [half, half], modelBytes: 3.8e9, kvBytesPerToken: llama2, contextSize: 2048 })).toBe(MAX_AUTO_SEQUENCES.gpu);
    // A 3:1 split onto cards of 24 and 8 GiB: the small card, (8 GiB - 0.25 × 1.1 × 3.8 GB - 2 GiB) / 0.25 GiB, sets it.
    expect(sizeSequencesOnGpus({ gpus: [{ freeBytes: 24 * GiB, share: 0.75 }, { freeBytes: 8 * GiB, share: 0.25 }], modelBytes: 3.8e9, kvBytesPerToken: llama2, contextSize: 2048 })).toBe(20);
    // One GPU with the whole model: the single-card count.
    expect(sizeSequencesOnGpus({ gpus: [{ freeBytes: 24 * GiB, share: 1 }], modelBytes: 3.8e9, kvBytesPerToken: llama2, contextSize: 2048 })).toBe(18);
  });
});
