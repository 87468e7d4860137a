// Helpers for the tests (and bench/convert) to compare converter output with the llama.cpp reference dumps in test/fixtures/tiny-llama.
import { createHash } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import path from "node:path";
import { GgmlType, GgufValueType, readGguf } from "../../lib/gguf";

export const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/tiny-llama");

export type TensorHash = { type: string; shape: number[]; sha256: string };

export async function referenceTensors(type: "f16" | "q8_0"): Promise<Record<string, TensorHash>> {
  return JSON.parse(await readFile(path.join(FIXTURE, `llamacpp-reference/tiny-llama-${type}.tensors.json`), "utf8"));
}

/**
 * GGML type, shape (ne0 first) and sha256 of every tensor's data, keyed by name. Read range by range, so it also
 * serves the convert bench's multi-GB outputs (readGguf has checked that every tensor lies inside the file).
 */
export async function tensorHashes(file: string): Promise<Record<string, TensorHash>> {
  const g = await readGguf({ file });
  const out: Record<string, TensorHash> = {};
  const fh = await open(file);
  const buf = Buffer.alloc(16 * 2 ** 20);
  try {
    for (const t of g.tensors) {
      const hash = createHash("sha256");
      for (let at = 0; at < t.bytes; ) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, t.bytes - at), t.absoluteOffset + at);
        if (bytesRead === 0) throw new Error(`${file}: tensor ${t.name} ends past the end of the file`);
        hash.update(buf.subarray(0, bytesRead));
        at += bytesRead;
      }
      out[t.name] = { type: GgmlType[t.type], shape: [...t.shape], sha256: hash.digest("hex") };
    }
  } finally {
    await fh.close();
  }
  return out;
}

/** `key : TYPE = value` lines of a reference .txt dump's [metadata] section, without the GGUF.* header fields. */
export async function referenceMetadata(type: "f16" | "q8_0"): Promise<Map<string, { type: string; value: string }>> {
  const text = await readFile(path.join(FIXTURE, `llamacpp-reference/tiny-llama-${type}.txt`), "utf8");
  const section = text.split("[metadata]")[1]!.split("[tensors]")[0]!;
  const out = new Map<string, { type: string; value: string }>();
  for (const line of section.split("\n")) {
    const m = /^(\S+) : (\S+) (?:= )?(.*)$/.exec(line.trim());
    if (m && !m[1]!.startsWith("GGUF.")) out.set(m[1]!, { type: m[2]!, value: m[3]! });
  }
  return out;
}

/** Our metadata rendered the way the reference dump writes it (arrays: length and first 5 items). */
export async function renderedMetadata(file: string): Promise<Map<string, { type: string; value: string }>> {
  const g = await readGguf({ file });
  const out = new Map<string, { type: string; value: string }>();
  for (const [key, v] of Object.entries(g.metadata)) {
    if (Array.isArray(v.value)) {
      out.set(key, { type: `ARRAY[${GgufValueType[v.itemType!]}]`, value: `len=${v.value.length} first5=${JSON.stringify(v.value.slice(0, 5))}` });
    } else {
      out.set(key, { type: GgufValueType[v.type]!, value: JSON.stringify(v.value) });
    }
  }
  return out;
}

/** Normalises a dump value so Python and JSON spellings compare equal ("-1000.0" vs -1000, 1e-05 vs 0.00001). */
export function normaliseValue(v: string): string {
  const first5 = /^len=(\d+) first5=(.*)$/.exec(v);
  if (first5) return `len=${first5[1]} first5=${JSON.stringify(JSON.parse(first5[2]!))}`;
  return JSON.stringify(JSON.parse(v));
}
