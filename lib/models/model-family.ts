// Which Llama a model is, from its GGUF metadata (pure: also used by client components for the labels).

export const MODEL_FAMILIES = ["llama-2", "code-llama", "llama-3", "llama-3.1", "llama-3.2", "llama-3.3"] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

const LABELS: Record<ModelFamily, string> = {
  "llama-2": "Llama 2",
  "code-llama": "Code Llama",
  "llama-3": "Llama 3",
  "llama-3.1": "Llama 3.1",
  "llama-3.2": "Llama 3.2",
  "llama-3.3": "Llama 3.3",
};

/** "Llama 3.1" for a known family id; any other recorded value as it is. */
export function familyLabel(family: string): string {
  return (LABELS as Record<string, string>)[family] ?? family;
}

/** What a GGUF says that tells the families apart. */
export type FamilyEvidence = {
  /** general.name and general.basename. */
  names: string[];
  /** Entries of tokenizer.ggml.tokens. */
  vocabSize: number | null;
  /** tokenizer.ggml.pre: "llama-bpe" for Llama 3's tokenizer. */
  tokenizerPre: string | null;
  /** <arch>.rope.freq_base: 1e6 for Code Llama, 5e5 for Llama 3. */
  ropeFreqBase: number | null;
  /** <arch>.rope.scaling.type ("llama3" where a converter writes it). */
  ropeScaling: string | null;
  /** A rope_freqs.weight tensor: llama.cpp's form of Llama 3.1's RoPE scaling. */
  ropeFreqs: boolean;
  /** No output.weight tensor: the output head is the token embedding (Llama 3.2 1B and 3B). */
  tiedOutput: boolean;
  /** <arch>.context_length. */
  contextLength: number | null;
};

type InspectedGguf = { metadata: { key: string; value?: unknown; length?: number }[]; tensors: { name: string }[] };

/** The evidence in an inspected GGUF (lib/convert inspectGguf: arrays are given by their length). */
export function familyEvidence(g: InspectedGguf): FamilyEvidence {
  const entry = (key: string) => g.metadata.find((m) => m.key === key);
  const str = (key: string) => (typeof entry(key)?.value === "string" ? (entry(key)!.value as string) : null);
  const num = (key: string) => {
    const v = entry(key)?.value;
    return typeof v === "number" || typeof v === "bigint" ? Number(v) : null;
  };
  const arch = str("general.architecture") ?? "llama";
  const tensors = new Set(g.tensors.map((t) => t.name));
  return {
    names: [str("general.name"), str("general.basename")].filter((n): n is string => n !== null),
    vocabSize: entry("tokenizer.ggml.tokens")?.length ?? null,
    tokenizerPre: str("tokenizer.ggml.pre"),
    ropeFreqBase: num(`${arch}.rope.freq_base`),
    ropeScaling: str(`${arch}.rope.scaling.type`),
    ropeFreqs: tensors.has("rope_freqs.weight"),
    tiedOutput: tensors.size > 0 && !tensors.has("output.weight"),
    contextLength: num(`${arch}.context_length`),
  };
}

/** A family named in a model name: "Meta Llama 3.1 8B Instruct", "Meta-Llama-3-8B", "CodeLlama-7b-hf", "llama-2-7b-chat". */
function familyFromName(name: string): ModelFamily | null {
  const n = name.toLowerCase();
  if (/code[\s_-]*llama/.test(n)) return "code-llama";
  const minor = /llama[\s_-]*3\.([123])(?!\d)/.exec(n);
  if (minor) return `llama-3.${minor[1]}` as ModelFamily;
  if (/llama[\s_-]*3(?![.\d])/.test(n)) return "llama-3";
  if (/llama[\s_-]*2(?![.\d])/.test(n)) return "llama-2";
  return null;
}

/** The family the shape gives: Llama 3's tokenizer, then its RoPE and head; Llama 2's and Code Llama's vocabulary and RoPE. */
function familyFromShape(e: FamilyEvidence): ModelFamily | null {
  if (e.vocabSize === 128256 && e.tokenizerPre === "llama-bpe") {
    // 3.3 (70B only) is 3.1's shape: only its name tells them apart.
    if (e.ropeFreqs || e.ropeScaling === "llama3" || (e.contextLength ?? 0) > 8192) return e.tiedOutput ? "llama-3.2" : "llama-3.1";
    return "llama-3";
  }
  if (e.vocabSize === 32000 || e.vocabSize === 32016) {
    if (e.ropeFreqBase === 1e6) return "code-llama";
    // Llama 2's 4096 tokens tell it from Llama 1 (2048) and the other 32000-token models (Mistral: 32768).
    if (e.contextLength === 4096 && (e.ropeFreqBase ?? 10000) === 10000) return "llama-2";
  }
  return null;
}

const generation = (f: string) => (f.startsWith("llama-3") ? "llama-3" : f);

/**
 * The model's family: the one its GGUF name says; else `recorded` (what its download source said) where the shape does
 * not contradict it or say more (a recorded Llama 3 whose RoPE is 3.1's); else the one its shape says; null when
 * nothing tells.
 */
export function detectFamily(params: { evidence?: FamilyEvidence | null; recorded?: string | null }): string | null {
  const { evidence: e, recorded } = params;
  if (!e) return recorded ?? null;
  const named = e.names.map(familyFromName).find((f) => f !== null);
  if (named) return named;
  const shaped = familyFromShape(e);
  if (recorded && (shaped === null || (generation(recorded) === generation(shaped) && recorded !== "llama-3"))) return recorded;
  return shaped;
}
