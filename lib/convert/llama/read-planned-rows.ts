import { DTYPE_BYTES, type FileCache, type SourceTensor } from "../readers";
import type { PlannedTensor } from "./plan-llama-tensors";

function rowsAndCols(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  const cols = shape[shape.length - 1]!;
  return [shape.slice(0, -1).reduce((a, b) => a * b, 1), cols];
}

async function* contiguousRows(files: FileCache, part: SourceTensor, rowBytes: number, rows: number, rowsPerChunk: number) {
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r);
    yield await files.read(part.file, part.offset + r * rowBytes, n * rowBytes);
  }
}

/**
 * Yields a planned tensor's bytes (source dtype, GGUF row order) in chunks of whole rows of about `chunkBytes`:
 * Meta shards are joined along their split axis and HF q/k rows are put back in Meta's interleaved rotary order,
 * reading only the rows each chunk needs.
 */
export async function* readPlannedRows(params: { tensor: PlannedTensor; files: FileCache; chunkBytes: number }): AsyncGenerator<Uint8Array> {
  const { tensor, files, chunkBytes } = params;
  const el = DTYPE_BYTES[tensor.dtype];
  const [rows, cols] = rowsAndCols(tensor.shape);
  const rowBytes = cols * el;
  const first = tensor.parts[0]!;

  if (tensor.unpermuteHeads !== null) {
    // HF row (h, j, i) holds Meta row (h, i, j): halves of each head interleave back into (even, odd) pairs.
    const headRows = rows / tensor.unpermuteHeads;
    const half = headRows / 2;
    const headsPerChunk = Math.max(1, Math.floor(chunkBytes / (headRows * rowBytes)));
    for await (const block of contiguousRows(files, first, headRows * rowBytes, tensor.unpermuteHeads, headsPerChunk)) {
      const out = Buffer.allocUnsafe(block.length);
      for (let h = 0; h < block.length / (headRows * rowBytes); h++) {
        const base = h * headRows;
        for (let i = 0; i < half; i++) {
          for (let j = 0; j < 2; j++) {
            const from = (base + j * half + i) * rowBytes;
            block.copy(out, (base + 2 * i + j) * rowBytes, from, from + rowBytes);
          }
        }
      }
      yield out;
    }
    return;
  }

  const rowsPerChunk = Math.max(1, Math.floor(chunkBytes / rowBytes));
  if (tensor.splitAxis === null || tensor.splitAxis === 0) {
    for (const part of tensor.parts) {
      const [partRows] = rowsAndCols(part.shape);
      yield* contiguousRows(files, part, rowBytes, partRows, rowsPerChunk);
    }
    return;
  }

  // Row-parallel shards: each output row is the concatenation of the shards' rows.
  const partRowBytes = tensor.parts.map((p) => p.shape[1]! * el);
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r);
    const pieces = await Promise.all(tensor.parts.map((p, k) => files.read(p.file, p.offset + r * partRowBytes[k]!, n * partRowBytes[k]!)));
    const out = Buffer.allocUnsafe(n * rowBytes);
    for (let row = 0; row < n; row++) {
      let at = row * rowBytes;
      pieces.forEach((piece, k) => {
        const pb = partRowBytes[k]!;
        piece.copy(out, at, row * pb, (row + 1) * pb);
        at += pb;
      });
    }
    yield out;
  }
}
