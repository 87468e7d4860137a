import { open, readFile } from "node:fs/promises";
import { ggmlTypeBytes, GgufValueType, GgufWriter, readGguf, type GgufScalarType, type GgufValue } from "../../lib/gguf";

/**
 * Writes a copy of the GGUF `src` to `out` with string metadata keys set (added, or replaced where present) and the
 * same tensors, except that `swapRows` exchanges rows of 2-D tensors: a model with another chat template, or one
 * steered to emit chosen tokens (swapping output.weight rows swaps those tokens' logits), for tests.
 */
export async function copyGgufWith(params: {
  src: string;
  out: string;
  set?: Record<string, string>;
  swapRows?: { tensor: string; rows: [number, number] }[];
}): Promise<string> {
  const g = await readGguf({ file: params.src });
  const bytes = await readFile(params.src);
  for (const { tensor, rows } of params.swapRows ?? []) {
    const t = g.tensors.find((x) => x.name === tensor);
    if (!t || t.shape.length !== 2) throw new Error(`${params.src}: no 2-D tensor ${tensor}`);
    const rowBytes = ggmlTypeBytes(t.type, t.shape[0]!);
    const [a, b] = rows.map((r) => t.absoluteOffset + r * rowBytes) as [number, number];
    const rowA = Buffer.from(bytes.subarray(a, a + rowBytes));
    bytes.copy(bytes, a, b, b + rowBytes);
    rowA.copy(bytes, b);
  }
  const fh = await open(params.out, "w");
  try {
    const w = new GgufWriter(fh, { alignment: g.alignment });
    const kv: Record<string, GgufValue> = {};
    for (const [key, v] of Object.entries(g.metadata)) {
      kv[key] = Array.isArray(v.value) ? { type: GgufValueType.ARRAY, itemType: v.itemType as GgufScalarType, value: v.value } : ({ type: v.type, value: v.value } as GgufValue);
    }
    for (const [key, value] of Object.entries(params.set ?? {})) kv[key] = { type: GgufValueType.STRING, value };
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
