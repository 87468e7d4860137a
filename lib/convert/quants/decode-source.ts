import type { SourceDtype } from "../readers";
import { F16_TO_F32 } from "./float-bits";

/** Widens little-endian F32/F16/BF16 bytes to float32 (exact for all three). */
export function decodeSource(params: { bytes: Uint8Array; dtype: SourceDtype; out?: Float32Array }): Float32Array {
  const { bytes, dtype } = params;
  const n = bytes.byteLength / (dtype === "F32" ? 4 : 2);
  const out = params.out && params.out.length >= n ? params.out.subarray(0, n) : new Float32Array(n);
  if (dtype === "F32") {
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    out.set(new Float32Array(aligned.buffer, aligned.byteOffset, n));
    return out;
  }
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const h = new Uint16Array(aligned.buffer, aligned.byteOffset, n);
  if (dtype === "F16") {
    for (let i = 0; i < n; i++) out[i] = F16_TO_F32[h[i]!]!;
  } else {
    const bits = new Uint32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) bits[i] = h[i]! << 16;
  }
  return out;
}
