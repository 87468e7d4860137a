import { isSupportedArchitecture } from "./architectures";
import { GgufError } from "./errors";
import { readGguf, type GgufFile } from "./reader";

// llama.cpp's llama_ftype names (llama_model_ftype_name without the "MOSTLY_" prefix).
const FILE_TYPES: Record<number, string> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M",
  13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS",
  21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
  29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
};

/** What the inventory shows of a ready-made GGUF (or split set), read from its header(s). */
export type GgufFacts = {
  architecture: string;
  /** False when the bundled llama.cpp has no such architecture: the model is listed but refused at run time. */
  architectureSupported: boolean;
  name: string | null;
  parameterCount: number;
  contextLength: number | null;
  fileType: string | null;
  chatTemplate: string | null;
  tensorCount: number;
  splitCount: number;
};

function scalar(g: GgufFile, key: string): string | number | null {
  const v = g.metadata[key]?.value;
  if (typeof v === "string" || typeof v === "number") return v;
  return typeof v === "bigint" ? Number(v) : null;
}

/**
 * Reads and validates every file of a GGUF (one file, or the parts of a split set in order, as llama.cpp's
 * gguf-split writes them: all metadata in the first, `split.no`/`split.count`/`split.tensors.count` in each).
 */
export async function describeGguf(params: { files: string[] }): Promise<GgufFacts> {
  const parts: GgufFile[] = [];
  for (const file of params.files) parts.push(await readGguf({ file }));
  const first = parts[0];
  if (!first) throw new RangeError("describeGguf needs at least one file");
  const fail = (msg: string): never => {
    throw new GgufError("invalid_gguf", msg, params.files[0]!);
  };
  const splitCount = Number(scalar(first, "split.count") ?? 1);
  if (splitCount !== parts.length) fail(`split.count is ${splitCount} but ${parts.length} file(s) were given`);
  if (splitCount > 1) {
    parts.forEach((p, i) => {
      if (Number(scalar(p, "split.no")) !== i) fail(`${params.files[i]} is not part ${i + 1} of the split set (split.no ${String(scalar(p, "split.no"))})`);
    });
    const declared = Number(scalar(first, "split.tensors.count"));
    const found = parts.reduce((s, p) => s + p.tensors.length, 0);
    if (declared !== found) fail(`split.tensors.count is ${declared} but the parts hold ${found} tensors`);
  }
  const architecture = scalar(first, "general.architecture");
  if (typeof architecture !== "string" || !architecture) fail("general.architecture is missing: not a llama.cpp model file");
  const arch = architecture as string;
  const ftype = scalar(first, "general.file_type");
  const ctx = scalar(first, `${arch}.context_length`);
  const template = scalar(first, "tokenizer.chat_template");
  const name = scalar(first, "general.name");
  const tensors = parts.flatMap((p) => p.tensors);
  return {
    architecture: arch,
    architectureSupported: isSupportedArchitecture(arch),
    name: typeof name === "string" ? name : null,
    parameterCount: tensors.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0),
    contextLength: typeof ctx === "number" ? ctx : null,
    fileType: typeof ftype === "number" ? (FILE_TYPES[ftype] ?? `type ${ftype}`) : null,
    chatTemplate: typeof template === "string" ? template : null,
    tensorCount: tensors.length,
    splitCount,
  };
}
