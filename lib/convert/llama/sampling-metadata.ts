import { readFile } from "node:fs/promises";
import path from "node:path";
import { GgufValueType, type GgufKv, type GgufScalarType } from "../../gguf";

/** generation_config.json key → GGUF key and type, in the order gguf-py's Metadata.set_gguf_meta_model writes them. */
const SAMPLING: [string[], string, GgufScalarType][] = [
  [["sequence"], "general.sampling.sequence", GgufValueType.STRING],
  [["top_k"], "general.sampling.top_k", GgufValueType.INT32],
  [["top_p"], "general.sampling.top_p", GgufValueType.FLOAT32],
  [["min_p"], "general.sampling.min_p", GgufValueType.FLOAT32],
  [["xtc_probability"], "general.sampling.xtc_probability", GgufValueType.FLOAT32],
  [["xtc_threshold"], "general.sampling.xtc_threshold", GgufValueType.FLOAT32],
  [["temperature"], "general.sampling.temp", GgufValueType.FLOAT32],
  [["penalty_last_n"], "general.sampling.penalty_last_n", GgufValueType.INT32],
  [["penalty_repeat", "repetition_penalty"], "general.sampling.penalty_repeat", GgufValueType.FLOAT32],
  [["mirostat"], "general.sampling.mirostat", GgufValueType.INT32],
  [["mirostat_tau"], "general.sampling.mirostat_tau", GgufValueType.FLOAT32],
  [["mirostat_eta"], "general.sampling.mirostat_eta", GgufValueType.FLOAT32],
];

/**
 * The model author's sampling defaults from generation_config.json, as llama.cpp's converter records them (a missing
 * or unreadable file, or a value of the wrong kind, is skipped as there).
 */
export async function readSamplingMetadata(params: { dir: string }): Promise<GgufKv[]> {
  let cfg: Record<string, unknown>;
  try {
    const v = JSON.parse(await readFile(path.join(params.dir, "generation_config.json"), "utf8")) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) return [];
    cfg = v as Record<string, unknown>;
  } catch {
    return [];
  }
  const out: GgufKv[] = [];
  for (const [names, key, type] of SAMPLING) {
    const value = names.map((n) => cfg[n]).find((v) => v !== undefined && v !== null);
    if (value === undefined) continue;
    if (type === GgufValueType.STRING ? typeof value === "string" : typeof value === "number" && Number.isFinite(value)) {
      out.push({ key, type, value: value as string | number });
    }
  }
  return out;
}
