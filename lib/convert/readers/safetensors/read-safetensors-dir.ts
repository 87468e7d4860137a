import { readFile } from "node:fs/promises";
import path from "node:path";
import { ConvertError } from "../../errors";
import type { SourceTensor } from "../types";
import { readSafetensors } from "./read-safetensors";

const INDEX_FILE = "model.safetensors.index.json";

/**
 * Reads `model.safetensors`, or every shard named by `model.safetensors.index.json`; each tensor must sit in the shard
 * the index names. Tensors are returned shard by shard, in each header's order.
 */
export async function readSafetensorsDir(params: { dir: string; files: string[] }): Promise<SourceTensor[]> {
  const { dir, files } = params;
  if (!files.includes(INDEX_FILE)) {
    const single = files.filter((f) => f.endsWith(".safetensors")).sort();
    if (single.length !== 1) {
      throw new ConvertError("invalid_safetensors", `expected one .safetensors file or ${INDEX_FILE}, found ${single.length}`, dir);
    }
    return readSafetensors({ file: path.join(dir, single[0]!) });
  }
  const indexPath = path.join(dir, INDEX_FILE);
  let weightMap: Record<string, unknown>;
  try {
    const index = JSON.parse(await readFile(indexPath, "utf8")) as { weight_map?: unknown };
    if (typeof index.weight_map !== "object" || index.weight_map === null) throw new Error("no weight_map object");
    weightMap = index.weight_map as Record<string, unknown>;
  } catch (e) {
    throw new ConvertError("invalid_safetensors", `unreadable shard index (${(e as Error).message})`, indexPath);
  }
  const shardNames: string[] = [];
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== "string" || shard.includes("/") || shard.includes("\\") || !shard.endsWith(".safetensors")) {
      throw new ConvertError("invalid_safetensors", `tensor ${tensor} maps to a bad shard name ${JSON.stringify(shard)}`, indexPath);
    }
    if (!shardNames.includes(shard)) shardNames.push(shard);
  }
  const out: SourceTensor[] = [];
  for (const shard of shardNames.sort()) {
    if (!files.includes(shard)) throw new ConvertError("invalid_safetensors", `shard ${shard} is missing`, indexPath);
    for (const t of await readSafetensors({ file: path.join(dir, shard) })) {
      if (weightMap[t.name] !== shard) {
        throw new ConvertError("invalid_safetensors", `tensor ${t.name} is not listed for this shard in ${INDEX_FILE}`, t.file);
      }
      out.push(t);
    }
  }
  const found = new Set(out.map((t) => t.name));
  const missing = Object.keys(weightMap).filter((n) => !found.has(n));
  if (missing.length > 0) throw new ConvertError("invalid_safetensors", `tensors missing from their shards: ${missing.slice(0, 5).join(", ")}`, indexPath);
  return out;
}
