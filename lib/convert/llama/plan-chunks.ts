import { ggmlTypeBytes, type GgmlType } from "../../gguf";
import { DTYPE_BYTES } from "../readers";
import type { ChunkTask } from "../run-chunk";
import type { PlannedTensor } from "./plan-llama-tensors";

function rowsAndCols(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  return [shape.slice(0, -1).reduce((a, b) => a * b, 1), shape[shape.length - 1]!];
}

/**
 * Cuts a planned tensor into chunks of whole rows (whole heads when q/k rows are un-permuted) of about `chunkBytes`
 * of source data, each with the source ranges it reads and where its output goes: Meta shards are joined along their
 * split axis, HF q/k rows are put back in Meta's interleaved rotary order. `offset` is the tensor's position in the
 * file and `pad` its alignment padding, written after the last chunk. Chunks come in file order; `index` is left to
 * the caller.
 */
export function* planChunks(params: {
  tensor: PlannedTensor;
  ggmlType: GgmlType;
  kernel: ChunkTask["kernel"];
  offset: number;
  pad: number;
  chunkBytes: number;
}): Generator<Omit<ChunkTask, "index">> {
  const { tensor, ggmlType, kernel, pad } = params;
  const [rows, cols] = rowsAndCols(tensor.shape);
  const el = DTYPE_BYTES[tensor.dtype];
  const rowBytes = cols * el;
  const outRowBytes = ggmlTypeBytes(ggmlType, cols);
  const unitRows = tensor.unpermuteHeads === null ? 1 : rows / tensor.unpermuteHeads;
  const rowsPerChunk = unitRows * Math.max(1, Math.floor(params.chunkBytes / (unitRows * rowBytes)));
  const base = { tensor: tensor.name, dtype: tensor.dtype, kernel, ggmlType };
  const chunk = (row: number, n: number, reads: ChunkTask["reads"], reorder: ChunkTask["reorder"]) => ({
    ...base,
    reads,
    reorder,
    outOffset: params.offset + row * outRowBytes,
    outBytes: n * outRowBytes,
    pad: row + n === rows ? pad : 0,
  });

  if (tensor.splitAxis !== 1) {
    // Parts (one, or column-parallel shards) follow each other row-wise.
    let row = 0;
    for (const part of tensor.parts) {
      const [partRows] = rowsAndCols(part.shape);
      for (let r = 0; r < partRows; r += rowsPerChunk) {
        const n = Math.min(rowsPerChunk, partRows - r);
        const reorder = tensor.unpermuteHeads === null ? null : { kind: "unpermute" as const, unitRows, rowBytes };
        yield chunk(row + r, n, [{ file: part.file, offset: part.offset + r * rowBytes, length: n * rowBytes }], reorder);
      }
      row += partRows;
    }
    return;
  }

  // Row-parallel shards: each output row is the concatenation of the shards' rows.
  const partRowBytes = tensor.parts.map((p) => p.shape[1]! * el);
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r);
    const reads = tensor.parts.map((p, i) => ({ file: p.file, offset: p.offset + r * partRowBytes[i]!, length: n * partRowBytes[i]! }));
    yield chunk(r, n, reads, { kind: "join", rows: n, partRowBytes });
  }
}
