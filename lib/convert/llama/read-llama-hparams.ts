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
};

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
  const scaling = cfg.rope_scaling as { type?: unknown; rope_type?: unknown; factor?: unknown } | null | undefined;
  if (scaling) {
    const type = scaling.rope_type ?? scaling.type;
    if (type === "linear" && typeof scaling.factor === "number") h.ropeScalingLinear = scaling.factor;
    else if (type !== "default") throw new ConvertError("unsupported_architecture", `rope_scaling ${JSON.stringify(type)} is not supported`, file);
  }
  return h;
}

/**
 * Hyper-parameters from Meta's params.json. It omits the context length and feed-forward size: as llama.cpp's
 * legacy converter, context is 16384 for CodeLlama (rope_theta 1e6), 4096 for Llama 2 (norm_eps 1e-5), else 2048;
 * the feed-forward size is the merged w1 row count.
 */
export async function readMetaHparams(params: { dir: string; feedForwardLength: number }): Promise<LlamaHparams> {
  const file = path.join(params.dir, "params.json");
  const cfg = await readConfig(file);
  if (cfg.moe !== undefined || cfg.use_scaled_rope === true || cfg.vision_chunk_size !== undefined) {
    throw new ConvertError("unsupported_architecture", "this Meta checkpoint is not a plain Llama/Llama 2 model", file);
  }
  const dim = int(cfg, "dim", file);
  const heads = int(cfg, "n_heads", file);
  const normEps = num(cfg, "norm_eps", file, 1e-5);
  const ropeTheta = num(cfg, "rope_theta", file, 10000);
  const vocab = cfg.vocab_size;
  return {
    blockCount: int(cfg, "n_layers", file),
    contextLength: Number.isSafeInteger(cfg.max_seq_len) ? (cfg.max_seq_len as number) : ropeTheta === 1e6 ? 16384 : normEps === 1e-5 ? 4096 : 2048,
    embeddingLength: dim,
    feedForwardLength: params.feedForwardLength,
    headCount: heads,
    headCountKv: int(cfg, "n_kv_heads", file, heads),
    ropeFreqBase: ropeTheta,
    rmsEps: normEps,
    vocabSize: Number.isSafeInteger(vocab) && (vocab as number) > 0 ? (vocab as number) : null,
    ropeDimensionCount: dim / heads,
  };
}
