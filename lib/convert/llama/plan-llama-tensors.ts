import { ConvertError } from "../errors";
import type { SourceDtype, SourceTensor } from "../readers";
import { mapTensorName } from "./map-tensor-name";
import type { LlamaHparams } from "./read-llama-hparams";

/** One GGUF tensor and how to assemble it from the checkpoint, row by row. */
export type PlannedTensor = {
  name: string;
  /** PyTorch order, after merging shards. */
  shape: number[];
  dtype: SourceDtype;
  /** One per Meta shard (in shard order), else exactly one. */
  parts: SourceTensor[];
  /** Dimension the parts are concatenated along; null when there is a single part. */
  splitAxis: 0 | 1 | null;
  /** Undo HF's rotary permutation over this many heads (q: heads, k: kv heads). */
  unpermuteHeads: number | null;
};

function fail(message: string, file?: string): never {
  throw new ConvertError("invalid_tensors", message, file);
}

/**
 * Maps checkpoint tensors to GGUF tensors. `shards` has one list per Meta model-parallel file (merged along each
 * tensor's split axis, norms replicated) or a single list for HF layouts; `heads` is required for HF layouts.
 */
export function planLlamaTensors(params: {
  layout: "hf" | "meta";
  shards: SourceTensor[][];
  heads?: { q: number; kv: number };
  /** Meta shards: the axis `tok_embeddings` is split along (Llama 2: 1, Llama 3: 0). @default 1 */
  embeddingSplitAxis?: 0 | 1;
}): PlannedTensor[] {
  const { layout, shards, heads } = params;
  const [first, ...rest] = shards;
  if (!first) fail("no tensors");
  if (layout === "hf" && rest.length > 0) fail("HF layouts have a single tensor list");
  const byName = rest.map((s) => new Map(s.map((t) => [t.name, t])));
  const seen = new Set<string>();
  const out: PlannedTensor[] = [];
  for (const t of first) {
    const mapped = mapTensorName({ name: t.name, layout });
    if (!mapped) continue;
    if (seen.has(mapped.name)) fail(`tensor ${mapped.name} appears twice`, t.file);
    seen.add(mapped.name);
    const others = byName.map((m, i) => m.get(t.name) ?? fail(`tensor ${t.name} is missing from shard ${i + 1}`));
    const parts = [t, ...others];
    for (const p of others) {
      if (p.dtype !== t.dtype || p.shape.length !== t.shape.length) fail(`tensor ${t.name} differs in dtype or rank between shards`, p.file);
    }
    let shape = [...t.shape];
    let splitAxis: 0 | 1 | null = null;
    if (others.length > 0 && t.shape.length === 2 && mapped.metaSplitAxis !== undefined) {
      const axis = mapped.name === "token_embd.weight" ? (params.embeddingSplitAxis ?? 1) : mapped.metaSplitAxis;
      const keep = 1 - axis;
      for (const p of others) if (p.shape[keep] !== t.shape[keep]) fail(`tensor ${t.name}: shard shapes do not line up along dim ${keep}`, p.file);
      shape[axis] = parts.reduce((a, p) => a + p.shape[axis]!, 0);
      splitAxis = axis;
    } else if (others.length > 0) {
      for (const p of others) if (p.shape.join() !== t.shape.join()) fail(`replicated tensor ${t.name} differs between shards`, p.file);
      shape = [...t.shape];
    }
    let unpermuteHeads: number | null = null;
    if (mapped.unpermute) {
      if (!heads) fail("head counts are needed to un-permute q/k");
      unpermuteHeads = mapped.unpermute === "q" ? heads.q : heads.kv;
      if (shape.length !== 2 || shape[0]! % (unpermuteHeads * 2) !== 0) fail(`tensor ${t.name}: ${shape[0]} rows do not split into ${unpermuteHeads} heads`, t.file);
    }
    out.push({ name: mapped.name, shape, dtype: t.dtype, parts: splitAxis === null ? [t] : parts, splitAxis, unpermuteHeads });
  }
  return out;
}

/** Checks that every tensor a llama.cpp Llama graph loads is present with the shape the hyper-parameters imply. */
export function validateLlamaTensors(params: { tensors: PlannedTensor[]; hparams: LlamaHparams; vocabSize: number }): void {
  const { tensors, hparams: h, vocabSize } = params;
  const byName = new Map(tensors.map((t) => [t.name, t.shape]));
  const headDim = h.embeddingLength / h.headCount;
  const expect = (name: string, shape: number[], optional = false) => {
    const got = byName.get(name);
    if (!got) {
      if (!optional) fail(`tensor ${name} is missing`);
      return;
    }
    if (got.join() !== shape.join()) fail(`tensor ${name} has shape [${got.join(", ")}], expected [${shape.join(", ")}]`);
  };
  const dim = h.embeddingLength;
  expect("token_embd.weight", [vocabSize, dim]);
  expect("output_norm.weight", [dim]);
  expect("output.weight", [vocabSize, dim], true);
  for (let i = 0; i < h.blockCount; i++) {
    expect(`blk.${i}.attn_norm.weight`, [dim]);
    expect(`blk.${i}.ffn_norm.weight`, [dim]);
    expect(`blk.${i}.attn_q.weight`, [h.headCount * headDim, dim]);
    expect(`blk.${i}.attn_k.weight`, [h.headCountKv * headDim, dim]);
    expect(`blk.${i}.attn_v.weight`, [h.headCountKv * headDim, dim]);
    expect(`blk.${i}.attn_output.weight`, [dim, h.headCount * headDim]);
    expect(`blk.${i}.ffn_gate.weight`, [h.feedForwardLength, dim]);
    expect(`blk.${i}.ffn_up.weight`, [h.feedForwardLength, dim]);
    expect(`blk.${i}.ffn_down.weight`, [dim, h.feedForwardLength]);
  }
  const extra = tensors.find((t) => { const m = /^blk\.(\d+)\./.exec(t.name); return m && Number(m[1]) >= h.blockCount; });
  if (extra) fail(`tensor ${extra.name} is beyond block_count ${h.blockCount}`);
}
