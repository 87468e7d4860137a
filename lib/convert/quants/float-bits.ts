// Scalar float conversions with numpy's rounding (round to nearest, ties to even), shared by the quant kernels.
// Both factories are self-contained: worker threads get their source text (chunk-pool.ts).

/** float32 → IEEE half bits, as numpy's npy_floatbits_to_halfbits (what gguf-py's `astype(np.float16)` does). */
export function makeF32ToF16Bits(): (value: number) => number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  return (value: number): number => {
    f32[0] = value;
    const f = u32[0]!;
    const sign = (f >>> 16) & 0x8000;
    const exp = f & 0x7f800000;
    let sig = f & 0x007fffff;
    if (exp >= 0x47800000) {
      if (exp === 0x7f800000 && sig !== 0) {
        const nan = 0x7c00 + (sig >>> 13);
        return sign + (nan === 0x7c00 ? 0x7c01 : nan);
      }
      return sign + 0x7c00;
    }
    if (exp <= 0x38000000) {
      if (exp < 0x33000000) return sign;
      const e = exp >>> 23;
      sig = (0x00800000 + sig) >>> (113 - e);
      if ((sig & 0x3fff) !== 0x1000 || (f & 0x7ff) !== 0) sig += 0x1000;
      return sign + (sig >>> 13);
    }
    const hExp = (exp - 0x38000000) >>> 13;
    if ((sig & 0x3fff) !== 0x1000) sig += 0x1000;
    return sign + ((hExp + (sig >>> 13)) & 0xffff);
  };
}

/** Half bits → float32 value, for every 16-bit pattern. */
export function buildF16Table(): Float32Array {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 31) table[h] = mant ? NaN : sign * Infinity;
    else table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return table;
}

export const f32ToF16Bits = makeF32ToF16Bits();
export const F16_TO_F32 = buildF16Table();
