import type { SourceDtype } from "../readers";

/**
 * Widens `count` little-endian F32/F16/BF16 values starting at element `start` of `src` into `out` (exact for all
 * three), using `table` (half bits → float32) for F16. `src` must be aligned to its element size.
 * Self-contained: worker threads get its source text (chunk-pool.ts).
 */
export function decodeSource(src: Uint8Array, dtype: SourceDtype, start: number, count: number, out: Float32Array, table: Float32Array): void {
  if (dtype === "F32") {
    out.set(new Float32Array(src.buffer, src.byteOffset + start * 4, count));
    return;
  }
  const h = new Uint16Array(src.buffer, src.byteOffset + start * 2, count);
  if (dtype === "F16") {
    for (let i = 0; i < count; i++) out[i] = table[h[i]!]!;
  } else {
    const bits = new Uint32Array(out.buffer, out.byteOffset, count);
    for (let i = 0; i < count; i++) bits[i] = h[i]! << 16;
  }
}
