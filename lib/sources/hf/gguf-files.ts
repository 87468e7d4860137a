import path from "node:path";
import { HfError } from "./errors";

const SPLIT = /-(\d{5})-of-(\d{5})\.gguf$/i;
// Quant labels as GGUF publishers (bartowski, TheBloke, lmstudio-community, unsloth) put them in file names.
const QUANT = /(?:^|[-_.])((?:I?Q[1-8](?:_[A-Z0-9]{1,4}){0,2})|BF16|F16|FP16|F32|FP32|MXFP4(?:_MOE)?)$/i;

/** `Model-Q4_K_M-00001-of-00002.gguf` → part 1 of 2 of `Model-Q4_K_M`; null for a single file. */
export function splitPart(file: string): { index: number; count: number; stem: string } | null {
  const m = SPLIT.exec(file);
  if (!m) return null;
  return { index: Number(m[1]), count: Number(m[2]), stem: file.slice(0, m.index) };
}

/** The quant label a file name carries (upper case), e.g. `Q4_K_M` of `Llama-3-8B-Q4_K_M.gguf`; null if none. */
export function quantOf(file: string): string | null {
  const stem = splitPart(file)?.stem ?? file.replace(/\.gguf$/i, "");
  return QUANT.exec(path.posix.basename(stem))?.[1]?.toUpperCase() ?? null;
}

/** One runnable GGUF of a repo: a single file or a whole split set (parts in order, the first is what llama.cpp loads). */
export type GgufUnit<T extends { path: string }> = { stem: string; quant: string | null; files: T[]; bytes: number; complete: boolean };

/** The repo's `.gguf` files as runnable units, split parts grouped; `complete` is false when a part is missing. */
export function ggufUnits<T extends { path: string; size: number }>(files: T[]): GgufUnit<T>[] {
  const units = new Map<string, { files: T[]; count: number }>();
  for (const f of files) {
    if (!/\.gguf$/i.test(f.path)) continue;
    const part = splitPart(f.path);
    const stem = part?.stem ?? f.path.replace(/\.gguf$/i, "");
    const u = units.get(stem) ?? { files: [], count: part?.count ?? 1 };
    u.files.push(f);
    units.set(stem, u);
  }
  return [...units.entries()]
    .map(([stem, u]) => {
      const sorted = u.files.sort((a, b) => (a.path < b.path ? -1 : 1));
      const complete = u.count === 1 ? sorted.length === 1 : sorted.length === u.count && sorted.every((f, i) => splitPart(f.path)?.index === i + 1);
      return { stem, quant: quantOf(sorted[0]!.path), files: sorted, bytes: sorted.reduce((s, f) => s + f.size, 0), complete };
    })
    .sort((a, b) => (a.stem < b.stem ? -1 : 1));
}

/**
 * The files of the GGUF tagged `quant` (case-insensitive, as `ollama pull repo:Q4_K_M`), a split set whole.
 * Refuses a tag no file carries (naming those there are) and one several files carry (use --include then).
 */
export function selectQuant<T extends { path: string; size: number }>(params: { files: T[]; quant: string; repo: string }): T[] {
  const units = ggufUnits(params.files);
  const want = params.quant.toUpperCase();
  const hits = units.filter((u) => u.quant === want);
  if (hits.length === 0) {
    const have = [...new Set(units.map((u) => u.quant).filter(Boolean))].join(", ") || "none";
    throw new HfError("invalid_listing", `${params.repo} has no GGUF tagged ${want} (quant tags there: ${have})`);
  }
  if (hits.length > 1) {
    throw new HfError("invalid_listing", `${params.repo} has several GGUFs tagged ${want} (${hits.map((u) => u.files[0]!.path).join(", ")}): pick one with --include`);
  }
  const unit = hits[0]!;
  if (!unit.complete) throw new HfError("invalid_listing", `${params.repo}: the split set ${unit.stem} misses parts`);
  return unit.files;
}

/** Adds the missing parts of every split set a selection touches: a split GGUF only runs whole. */
export function completeSplitSets<T extends { path: string }>(chosen: T[], all: T[]): T[] {
  const stems = new Set(chosen.map((f) => splitPart(f.path)?.stem).filter((s): s is string => s !== undefined));
  const extra = all.filter((f) => !chosen.includes(f) && stems.has(splitPart(f.path)?.stem ?? "\0"));
  return [...chosen, ...extra];
}
