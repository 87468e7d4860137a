import { open, readFile } from "node:fs/promises";
import { GgufValueType, GgufWriter, readGguf, type GgufScalarType, type GgufValue } from "../../lib/gguf";

/**
 * Writes a copy of the GGUF `src` to `out` with metadata keys set (added, or replaced where present) and the same
 * tensors: a model with another chat template or name, for tests.
 */
export async function copyGgufWith(params: { src: string; out: string; set: Record<string, string> }): Promise<string> {
  const g = await readGguf({ file: params.src });
  const bytes = await readFile(params.src);
  const fh = await open(params.out, "w");
  try {
    const w = new GgufWriter(fh, { alignment: g.alignment });
    const kv: Record<string, GgufValue> = {};
    for (const [key, v] of Object.entries(g.metadata)) {
      kv[key] = Array.isArray(v.value) ? { type: GgufValueType.ARRAY, itemType: v.itemType as GgufScalarType, value: v.value } : ({ type: v.type, value: v.value } as GgufValue);
    }
    for (const [key, value] of Object.entries(params.set)) kv[key] = { type: GgufValueType.STRING, value };
    for (const [key, value] of Object.entries(kv)) w.addKv(key, value);
    for (const t of g.tensors) w.addTensorInfo(t.name, t.shape, t.type);
    await w.writeHeader();
    await w.writeKvData();
    await w.writeTensorInfo();
    for (const t of g.tensors) await w.writeTensorData(t.name, bytes.subarray(t.absoluteOffset, t.absoluteOffset + t.bytes));
    await w.finish({ sync: false });
  } finally {
    await fh.close();
  }
  return params.out;
}
