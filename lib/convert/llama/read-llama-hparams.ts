import { readFile } from "node:fs/promises";
import path from "node:path";
import { ConvertError } from "../errors";

export type LlamaHparams = {
  blockCount: number;
  contextLength: number;
  embeddingLength: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  ropeFreqBase: number;
  rmsEps: number;
  /** `null` in Meta's params.json (-1): the embedding rows decide. */
  vocabSize: number | null;
  ropeDimensionCount: number;
  ropeScalingLinear?: number;
  /** Llama 3.1's frequency-dependent rope scaling: written as the `rope_freqs.weight` tensor (see rope-freqs.ts). */
  ropeLlama3?: Llama3RopeScaling;
};

export type Llama3RopeScaling = { factor: number; lowFreqFactor: number; highFreqFactor: number; originalContextLength: number };

/**
 * What Meta's reference code (llama-models `apply_scaling`) applies when params.json says `use_scaled_rope`: these
 * constants are hard-coded there, so a Meta-form Llama 3.2 gets factor 8 where its HF config says 32.
 */
const META_LLAMA3_ROPE: Llama3RopeScaling = { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalContextLength: 8192 };

const SUPPORTED_ARCHITECTURES = new Set(["LlamaForCausalLM"]);

async function readConfig(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new ConvertError("invalid_config", "missing", file);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new ConvertError("invalid_config", `not a valid JSON object (${(e as Error).message})`, file);
  }
}

function int(cfg: Record<string, unknown>, key: string, file: string, fallback?: number): number {
  const v = cfg[key] ?? fallback;
  if (!Number.isSafeInteger(v) || (v as number) <= 0) throw new ConvertError("invalid_config", `${key} must be a positive integer, got ${JSON.stringify(v)}`, file);
  return v as number;
}

function num(cfg: Record<string, unknown>, key: string, file: string, fallback: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new ConvertError("invalid_config", `${key} must be a positive number`, file);
  return v;
}

/** Hyper-parameters from HF config.json; any architecture but LlamaForCausalLM is refused. */
export async function readHfHparams(params: { dir: string }): Promise<LlamaHparams> {
  const file = path.join(params.dir, "config.json");
  const cfg = await readConfig(file);
  const archs = Array.isArray(cfg.architectures) ? (cfg.architectures as unknown[]) : [];
  const arch = archs.find((a): a is string => typeof a === "string" && SUPPORTED_ARCHITECTURES.has(a));
  if (!arch) {
    const named = archs.length > 0 ? archs.join(", ") : `model_type ${JSON.stringify(cfg.model_type)}`;
    throw new ConvertError("unsupported_architecture", `architecture ${named} is not supported (LlamaForCausalLM only)`, file);
  }
  const hidden = int(cfg, "hidden_size", file);
  const heads = int(cfg, "num_attention_heads", file);
  const h: LlamaHparams = {
    blockCount: int(cfg, "num_hidden_layers", file),
    contextLength: int(cfg, "max_position_embeddings", file),
    embeddingLength: hidden,
    feedForwardLength: int(cfg, "intermediate_size", file),
    headCount: heads,
    headCountKv: int(cfg, "num_key_value_heads", file, heads),
    ropeFreqBase: num(cfg, "rope_theta", file, 10000),
    rmsEps: num(cfg, "rms_norm_eps", file, 1e-6),
    vocabSize: int(cfg, "vocab_size", file),
    ropeDimensionCount: int(cfg, "head_dim", file, hidden / heads),
  };
  // transformers 5 writes rope_parameters where 4.x wrote rope_scaling (llama.cpp reads either).
  const scaling = (cfg.rope_parameters ?? cfg.rope_scaling) as Record<string, unknown> | null | undefined;
  if (scaling) {
    const type = scaling.rope_type ?? scaling.type;
    if (typeof scaling.rope_theta === "number") h.ropeFreqBase = scaling.rope_theta;
    if (type === "linear" && typeof scaling.factor === "number") h.ropeScalingLinear = scaling.factor;
    else if (type === "llama3") {
      h.ropeLlama3 = {
        factor: num(scaling, "factor", file, 8),
        lowFreqFactor: num(scaling, "low_freq_factor", file, 1),
        highFreqFactor: num(scaling, "high_freq_factor", file, 4),
        originalContextLength: int(scaling, "original_max_position_embeddings", file, 8192),
      };
    } else if (type !== "default") throw new ConvertError("unsupported_architecture", `rope_scaling ${JSON.stringify(type)} is not supported`, file);
  }
  return h;
}

/** Meta's params.json keys about rope scaling that this converter understands; any other is refused. */
const META_ROPE_KEYS = new Set(["rope_theta", "use_scaled_rope", "rope_scaling_factor"]);

/**
 * Hyper-parameters from Meta's params.json. It omits the context length and feed-forward size: for Llama 3
 * (`llama3`: a tiktoken tokenizer) context is 131072 with `use_scaled_rope` (3.1 and later) and 8192 without (3.0),
 * as transformers' converter sets them; for Llama 1/2, as llama.cpp's legacy converter, 16384 for CodeLlama
 * (rope_theta 1e6), 4096 for Llama 2 (norm_eps 1e-5), else 2048. The feed-forward size is the merged w1 row count.
 */
export async function readMetaHparams(params: { dir: string; feedForwardLength: number; llama3: boolean }): Promise<LlamaHparams> {
  const file = path.join(params.dir, "params.json");
  const cfg = await readConfig(file);
  if (cfg.moe !== undefined || cfg.vision_chunk_size !== undefined) {
    throw new ConvertError("unsupported_architecture", "this Meta checkpoint is not a plain Llama model (mixture of experts or vision)", file);
  }
  const unknownRope = Object.keys(cfg).find((k) => /rope/.test(k) && !META_ROPE_KEYS.has(k));
  if (unknownRope) throw new ConvertError("unsupported_architecture", `rope setting ${unknownRope} is not supported`, file);
  if (cfg.use_scaled_rope !== undefined && typeof cfg.use_scaled_rope !== "boolean") {
    throw new ConvertError("invalid_config", `use_scaled_rope must be true or false, got ${JSON.stringify(cfg.use_scaled_rope)}`, file);
  }
  const scaled = cfg.use_scaled_rope === true;
  if (scaled && !params.llama3) throw new ConvertError("unsupported_architecture", "use_scaled_rope needs a Llama 3 tokenizer (tiktoken tokenizer.model)", file);
  const dim = int(cfg, "dim", file);
  const heads = int(cfg, "n_heads", file);
  const normEps = num(cfg, "norm_eps", file, 1e-5);
  const ropeTheta = num(cfg, "rope_theta", file, 10000);
  const vocab = cfg.vocab_size;
  const legacyContext = ropeTheta === 1e6 ? 16384 : normEps === 1e-5 ? 4096 : 2048;
  return {
    blockCount: int(cfg, "n_layers", file),
    contextLength: Number.isSafeInteger(cfg.max_seq_len) ? (cfg.max_seq_len as number) : params.llama3 ? (scaled ? 131072 : 8192) : legacyContext,
    embeddingLength: dim,
    feedForwardLength: params.feedForwardLength,
    headCount: heads,
    headCountKv: int(cfg, "n_kv_heads", file, heads),
    ropeFreqBase: ropeTheta,
    rmsEps: normEps,
    vocabSize: Number.isSafeInteger(vocab) && (vocab as number) > 0 ? (vocab as number) : null,
    ropeDimensionCount: dim / heads,
    ...(scaled && { ropeLlama3: { ...META_LLAMA3_ROPE, factor: num(cfg, "rope_scaling_factor", file, META_LLAMA3_ROPE.factor) } }),
  };
}
