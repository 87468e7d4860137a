import type { SlotPool } from "../slot-pool";
import { DTYPE_BYTES, type FileCache } from "../readers";
import type { PlannedTensor } from "./plan-llama-tensors";

function rowsAndCols(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  return [shape.slice(0, -1).reduce((a, b) => a * b, 1), shape[shape.length - 1]!];
}

/** How a tensor is cut into chunks: whole rows, or whole heads when q/k rows are un-permuted. */
function chunking(tensor: PlannedTensor, chunkBytes: number) {
  const [rows, cols] = rowsAndCols(tensor.shape);
  const rowBytes = cols * DTYPE_BYTES[tensor.dtype];
  const unitRows = tensor.unpermuteHeads === null ? 1 : rows / tensor.unpermuteHeads;
  const rowsPerChunk = unitRows * Math.max(1, Math.floor(chunkBytes / (unitRows * rowBytes)));
  return { rows, rowBytes, unitRows, rowsPerChunk };
}

/** The largest chunk `readPlannedRows` yields for this tensor, to size the slots. */
export function largestChunk(tensor: PlannedTensor, chunkBytes: number): number {
  const { rows, rowBytes, rowsPerChunk } = chunking(tensor, chunkBytes);
  return Math.min(rows, rowsPerChunk) * rowBytes;
}

/**
 * Yields a planned tensor's bytes (source dtype, GGUF row order) in slots of whole rows of about `chunkBytes`:
 * Meta shards are joined along their split axis and HF q/k rows are put back in Meta's interleaved rotary order,
 * reading only the rows each chunk needs. The consumer releases each yielded slot.
 */
export async function* readPlannedRows(params: { tensor: PlannedTensor; files: FileCache; chunkBytes: number; slots: SlotPool }): AsyncGenerator<Uint8Array> {
  const { tensor, files, slots } = params;
  const { rows, rowBytes, unitRows, rowsPerChunk } = chunking(tensor, params.chunkBytes);
  const el = DTYPE_BYTES[tensor.dtype];

  if (tensor.splitAxis !== 1) {
    // Parts (one, or column-parallel shards) follow each other row-wise.
    for (const part of tensor.parts) {
      const [partRows] = rowsAndCols(part.shape);
      for (let r = 0; r < partRows; r += rowsPerChunk) {
        const n = Math.min(rowsPerChunk, partRows - r);
        const block = await slots.acquire(n * rowBytes);
        await files.read(part.file, part.offset + r * rowBytes, block);
        if (tensor.unpermuteHeads === null) {
          yield block;
          continue;
        }
        // HF row (h, j, i) holds Meta row (h, i, j): the two halves of each head interleave back into pairs.
        const out = await slots.acquire(block.length);
        const half = unitRows / 2;
        for (let base = 0; base < n; base += unitRows) {
          for (let i = 0; i < half; i++) {
            for (let j = 0; j < 2; j++) {
              const from = (base + j * half + i) * rowBytes;
              out.set(block.subarray(from, from + rowBytes), (base + 2 * i + j) * rowBytes);
            }
          }
        }
        slots.release(block);
        yield out;
      }
    }
    return;
  }

  // Row-parallel shards: each output row is the concatenation of the shards' rows; one scratch slot is reused.
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r);
    const out = await slots.acquire(n * rowBytes);
    let col = 0;
    for (const part of tensor.parts) {
      const partRowBytes = part.shape[1]! * el;
      const piece = await slots.acquire(n * partRowBytes);
      await files.read(part.file, part.offset + r * partRowBytes, piece);
      for (let row = 0; row < n; row++) out.set(piece.subarray(row * partRowBytes, (row + 1) * partRowBytes), row * rowBytes + col);
      slots.release(piece);
      col += partRowBytes;
    }
    yield out;
  }
}
