import { ConvertError } from "../errors";

export type MappedName = {
  name: string;
  /** HF q/k rows are stored for rotate_half; GGUF wants Meta's interleaved layout back. */
  unpermute?: "q" | "k";
  /** Meta model-parallel shards: the dimension a tensor is split along (column-parallel 0, row-parallel 1). */
  metaSplitAxis?: 0 | 1;
};

const HF_LAYER: Record<string, MappedName & { name: string }> = {
  "self_attn.q_proj.weight": { name: "attn_q.weight", unpermute: "q" },
  "self_attn.k_proj.weight": { name: "attn_k.weight", unpermute: "k" },
  "self_attn.v_proj.weight": { name: "attn_v.weight" },
  "self_attn.o_proj.weight": { name: "attn_output.weight" },
  "mlp.gate_proj.weight": { name: "ffn_gate.weight" },
  "mlp.up_proj.weight": { name: "ffn_up.weight" },
  "mlp.down_proj.weight": { name: "ffn_down.weight" },
  "input_layernorm.weight": { name: "attn_norm.weight" },
  "post_attention_layernorm.weight": { name: "ffn_norm.weight" },
};
const HF_GLOBAL: Record<string, string> = {
  "model.embed_tokens.weight": "token_embd.weight",
  "model.norm.weight": "output_norm.weight",
  "lm_head.weight": "output.weight",
};
const META_LAYER: Record<string, MappedName> = {
  "attention.wq.weight": { name: "attn_q.weight", metaSplitAxis: 0 },
  "attention.wk.weight": { name: "attn_k.weight", metaSplitAxis: 0 },
  "attention.wv.weight": { name: "attn_v.weight", metaSplitAxis: 0 },
  "attention.wo.weight": { name: "attn_output.weight", metaSplitAxis: 1 },
  "feed_forward.w1.weight": { name: "ffn_gate.weight", metaSplitAxis: 0 },
  "feed_forward.w3.weight": { name: "ffn_up.weight", metaSplitAxis: 0 },
  "feed_forward.w2.weight": { name: "ffn_down.weight", metaSplitAxis: 1 },
  "attention_norm.weight": { name: "attn_norm.weight" },
  "ffn_norm.weight": { name: "ffn_norm.weight" },
};
const META_GLOBAL: Record<string, MappedName> = {
  "tok_embeddings.weight": { name: "token_embd.weight", metaSplitAxis: 1 },
  "norm.weight": { name: "output_norm.weight" },
  "output.weight": { name: "output.weight", metaSplitAxis: 0 },
};
/** Buffers recomputed at load time; llama.cpp drops them too. */
const SKIPPED = /(^|\.)rotary_emb\.inv_freq$|^rope\.freqs$/;

/** Maps a checkpoint tensor name (HF or Meta) to its GGUF name; `null` for tensors GGUF does not keep. */
export function mapTensorName(params: { name: string; layout: "hf" | "meta" }): MappedName | null {
  const { name, layout } = params;
  if (SKIPPED.test(name)) return null;
  if (layout === "hf") {
    const g = HF_GLOBAL[name];
    if (g) return { name: g };
    const m = /^model\.layers\.(\d+)\.(.+)$/.exec(name);
    const l = m && HF_LAYER[m[2]!];
    if (m && l) return { ...l, name: `blk.${m[1]}.${l.name}` };
  } else {
    const g = META_GLOBAL[name];
    if (g) return g;
    const m = /^layers\.(\d+)\.(.+)$/.exec(name);
    const l = m && META_LAYER[m[2]!];
    if (m && l) return { ...l, name: `blk.${m[1]}.${l.name}` };
  }
  throw new ConvertError("invalid_tensors", `tensor ${name} does not belong to a Llama checkpoint`);
}
