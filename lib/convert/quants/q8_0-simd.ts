// F16 → Q8_0 as a WebAssembly SIMD function, assembled here byte by byte (no toolchain needed). Same float32
// operations as q8_0.ts's kernelF16 (hence gguf-py's numpy code), four lanes at a time: IEEE f32x4 arithmetic is
// exact-rounded like numpy's float32. np_roundf(v) = floor(|v|) + floor(2 frac|v|) = floor(|v| + 0.5) is computed as
// trunc(v + copysign(0.5 - 2^-25, v)): for |v| < 127.5 (here |v| <= 127 · (1 + 2^-22)) that float32 sum never rounds
// across an integer, where v + copysign(0.5, v) would turn 0.5 - 2^-25 into 1.
//
// q8(src, dst, dptr, nblocks): for each block of 32 halves at `src`, writes the 32 int8 values at `dst + 2` (34-byte
// block stride, the 2 bytes of d left for the caller) and d as float32 at `dptr`; the caller stores d as f16.

const SIMD = 0xfd;
const op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, brIf: 0x0d, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  f32Store: 0x38, i32Const: 0x41, f32Const: 0x43,
  i32LtU: 0x49, f32Eq: 0x5b, i32Add: 0x6a, f32Div: 0x95, f32Max: 0x97,
};
const simd = {
  load: 0x00, store: 0x0b, const: 0x0c, f32x4Splat: 0x13, f32x4ExtractLane: 0x1f,
  shuffle: 0x0d, i16x8Eq: 0x2d, i32x4GtS: 0x3b, and: 0x4e, or: 0x50, bitselect: 0x52, anyTrue: 0x53,
  i8x16NarrowI16x8S: 0x65, f32x4Floor: 0x68, f32x4Trunc: 0x69, i16x8NarrowI32x4S: 0x85,
  i32x4ExtendLowI16x8S: 0xa7, i32x4ExtendHighI16x8S: 0xa8, i32x4ExtendLowI16x8U: 0xa9, i32x4ExtendHighI16x8U: 0xaa,
  i32x4Shl: 0xab, i32x4Sub: 0xb1, i32x4MaxS: 0xb8,
  f32x4Abs: 0xe0, f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Max: 0xe9, i32x4TruncSatF32x4S: 0xf8,
};

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}
const s = (code: number) => [SIMD, ...uleb(code)];
const get = (i: number) => [op.localGet, ...uleb(i)];
const set = (i: number) => [op.localSet, ...uleb(i)];
const tee = (i: number) => [op.localTee, ...uleb(i)];
const i32 = (n: number) => [op.i32Const, ...sleb(n)];
const f32 = (v: number) => [op.f32Const, ...new Uint8Array(new Float32Array([v]).buffer)];
const splatI32 = (v: number) => [...s(simd.const), ...new Uint8Array(new Uint32Array([v, v, v, v]).buffer)];
const mem = (offset: number) => [4, ...uleb(offset)]; // align 2^4, offset

// Parameters 0-3: src, dst, dptr, nblocks. Locals: 4 = i (i32); 5-12 = x0..x7, 13 = t, 14 = o, 15 = v, 16-19 = the
// block's raw halves h0..h3, 20 = idv (v128); 21 = d, 22 = amax (f32).
const [SRC, DST, DPTR, N, I] = [0, 1, 2, 3, 4];
const X = (k: number) => 5 + k;
const H = (k: number) => 16 + k;
const [T, O, V, IDV, D, AMAX] = [13, 14, 15, 20, 21, 22];

/** Half bits (i32x4 zero-extended, on the stack) → float32, any half: Inf/NaN keep an all-ones exponent. */
const decodeAny = (to: number) => [
  ...set(T),
  ...get(T), ...splatI32(0x7fff), ...s(simd.and), ...i32(13), ...s(simd.i32x4Shl), ...set(O),
  ...get(O), ...splatI32(0x7f800000), ...s(simd.or), // Inf/NaN: exponent all ones, mantissa kept
  ...get(O), ...splatI32(0x77800000), ...s(simd.f32x4Mul), // finite: (bits as f32) * 2^112
  ...get(O), ...splatI32(0x0f7fffff), ...s(simd.i32x4GtS),
  ...s(simd.bitselect),
  ...get(T), ...splatI32(0x8000), ...s(simd.and), ...i32(16), ...s(simd.i32x4Shl), ...s(simd.or),
  ...set(to),
];
/**
 * Finite half bits (i32x4 sign-extended, on the stack) → float32: shifted by 13 the sign lands in bit 31 (bits 28-30
 * are its copies, cleared) and the exponent is rebiased by multiplying by 2^112, exact for subnormals too.
 */
const decodeFinite = (to: number) => [
  ...i32(13), ...s(simd.i32x4Shl), ...splatI32(0x8fffffff), ...s(simd.and), ...splatI32(0x77800000), ...s(simd.f32x4Mul),
  ...set(to),
];
/** q = np_roundf(x * id) as int32 lanes (see the top of the file); `toInt` truncates float32 lanes to int32. */
const quantize = (k: number, toInt: number[]) => [
  ...get(X(k)), ...get(IDV), ...s(simd.f32x4Mul), ...tee(V),
  ...get(V), ...splatI32(0x80000000), ...s(simd.and), ...splatI32(0x3effffff), ...s(simd.or), // ±(0.5 - 2^-25)
  ...s(simd.f32x4Add),
  ...toInt,
];
/** Any lane, NaN included (→ 0). */
const truncSat = s(simd.i32x4TruncSatF32x4S);
/**
 * Lanes known to be in (-2^22, 2^22): truncated as floats, then 1.5 * 2^23 added, which leaves the integer in the
 * low mantissa bits (exact), and the magic's bits subtracted. Three single instructions, where trunc_sat takes seven.
 */
const truncSmall = [...s(simd.f32x4Trunc), ...splatI32(0x4b400000), ...s(simd.f32x4Add), ...splatI32(0x4b400000), ...s(simd.i32x4Sub)];
/** d = amax / 127 stored as float32 at dptr, id = 1/d (0 when d is 0), and the 32 q of the block at dst + 2. */
const scaleAndStore = (toInt: number[]) => [
  ...get(AMAX),
  ...f32(127), op.f32Div, ...set(D),
  ...get(DPTR), ...get(D), op.f32Store, 2, 0,
  ...f32(0), ...f32(1), ...get(D), op.f32Div, ...get(D), ...f32(0), op.f32Eq, op.select,
  ...s(simd.f32x4Splat), ...set(IDV),
  ...[0, 1].flatMap((half) => [
    ...get(DST),
    ...quantize(4 * half, toInt), ...quantize(4 * half + 1, toInt), ...s(simd.i16x8NarrowI32x4S),
    ...quantize(4 * half + 2, toInt), ...quantize(4 * half + 3, toInt), ...s(simd.i16x8NarrowI32x4S),
    ...s(simd.i8x16NarrowI16x8S),
    ...s(simd.store), 0, ...uleb(2 + 16 * half),
  ]),
];
const widen = (decode: (to: number) => number[], low: number, high: number) =>
  [0, 1, 2, 3].flatMap((k) => [...get(H(k)), ...s(low), ...decode(X(2 * k)), ...get(H(k)), ...s(high), ...decode(X(2 * k + 1))]);
/** amax of x0..x7 as a tree (short dependency chains) of `max` over |x|, then across the four lanes. */
const amaxOf = (max: number[], hmax: () => number[]) => [
  ...[0, 4].flatMap((k) => [
    ...get(X(k)), ...s(simd.f32x4Abs), ...get(X(k + 1)), ...s(simd.f32x4Abs), ...max,
    ...get(X(k + 2)), ...s(simd.f32x4Abs), ...get(X(k + 3)), ...s(simd.f32x4Abs), ...max,
    ...max,
  ]),
  ...max,
  ...set(T),
  ...hmax(),
  ...set(AMAX),
];
const lanes = (order: number[]) => order.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
const body = [
  ...[op.block, 0x40, ...get(N), ...i32(0), 0x46 /* i32.eq */, op.brIf, 0],
  ...[op.loop, 0x40],
  ...[0, 1, 2, 3].flatMap((k) => [...get(SRC), ...s(simd.load), ...mem(16 * k), ...set(H(k))]),
  // Widen 32 halves into x0..x7 and find amax: the short path unless some half of the block is Inf or NaN (exponent
  // all ones).
  ...[0, 1, 2, 3].flatMap((k) => [...get(H(k)), ...splatI32(0x7c007c00), ...s(simd.and), ...splatI32(0x7c007c00), ...s(simd.i16x8Eq), ...(k ? s(simd.or) : [])]),
  ...s(simd.anyTrue),
  ...[op.if, 0x40],
  ...widen(decodeAny, simd.i32x4ExtendLowI16x8U, simd.i32x4ExtendHighI16x8U),
  // NaN propagates as in numpy's max.
  ...amaxOf(s(simd.f32x4Max), () => [
    ...get(T), ...s(simd.f32x4ExtractLane), 0, ...get(T), ...s(simd.f32x4ExtractLane), 1, op.f32Max,
    ...get(T), ...s(simd.f32x4ExtractLane), 2, ...get(T), ...s(simd.f32x4ExtractLane), 3, op.f32Max,
    op.f32Max,
  ]),
  ...scaleAndStore(truncSat),
  op.else,
  ...widen(decodeFinite, simd.i32x4ExtendLowI16x8S, simd.i32x4ExtendHighI16x8S),
  // Finite and non-negative: float order is the integer order of the bits, and integer max is one instruction.
  ...amaxOf(s(simd.i32x4MaxS), () => [
    ...get(T), ...get(T), ...get(T), ...s(simd.shuffle), ...lanes([2, 3, 0, 1]), ...s(simd.i32x4MaxS), ...tee(T),
    ...get(T), ...get(T), ...s(simd.shuffle), ...lanes([1, 0, 3, 2]), ...s(simd.i32x4MaxS),
    ...s(simd.f32x4ExtractLane), 0,
  ]),
  ...scaleAndStore(truncSmall),
  op.end,
  ...get(SRC), ...i32(64), op.i32Add, ...set(SRC),
  ...get(DST), ...i32(34), op.i32Add, ...set(DST),
  ...get(DPTR), ...i32(4), op.i32Add, ...set(DPTR),
  ...get(I), ...i32(1), op.i32Add, ...tee(I), ...get(N), op.i32LtU, op.brIf, 0,
  op.end,
  op.end,
  op.end,
];

const locals = [3, 1, 0x7f, 16, 0x7b, 2, 0x7d]; // 3 groups: 1 i32, 16 v128, 2 f32
const code = [...locals, ...body];
const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
const name = (n: string) => [...uleb(n.length), ...Buffer.from(n)];

/** Largest input (bytes of halves) one call takes. The heap holds the halves at 0, the Q8_0 blocks from 8 MiB and
 * the float32 scales after them: 8 + 4.25 + 0.5 MiB. */
export const Q8_0_SIMD_MAX_INPUT = 8 * 1024 * 1024;
/** Pages of 64 KiB: room for the layout above. */
export const Q8_0_SIMD_PAGES = 204;
export const Q8_0_SIMD_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
  ...section(3, [1, 0]),
  ...section(5, [1, 0, ...uleb(Q8_0_SIMD_PAGES)]),
  ...section(7, [2, ...name("q8"), 0, 0, ...name("mem"), 2, 0]),
  ...section(10, [1, ...uleb(code.length), ...code]),
]);

export type Q8_0SimdExports = { q8: (src: number, dst: number, dptr: number, nblocks: number) => void; mem: WebAssembly.Memory };

/**
 * Quantizes the `bytes` of F16 halves already at the start of the module's heap (so a reader can fill the heap
 * directly) and returns where their Q8_0 blocks are in the heap. Self-contained: worker threads get its source text.
 */
export function quantizeQ8_0SimdHeap(bytes: number, simd: Q8_0SimdExports, toHalf: (value: number) => number): number {
  const blocks = bytes / 64;
  const dst = 8 * 1024 * 1024;
  const dptr = dst + 4352 * 1024;
  simd.q8(0, dst, dptr, blocks);
  const scales = new Float32Array(simd.mem.buffer, dptr, blocks);
  const halves = new Uint16Array(simd.mem.buffer, dst, blocks * 17);
  for (let b = 0; b < blocks; b++) halves[b * 17] = toHalf(scales[b]!);
  return dst;
}

/** Quantizes F16 bytes (at most Q8_0_SIMD_MAX_INPUT) into Q8_0 blocks in `output` with the SIMD module. */
export function quantizeQ8_0Simd(input: Uint8Array, output: Uint8Array, simd: Q8_0SimdExports, toHalf: (value: number) => number): void {
  new Uint8Array(simd.mem.buffer).set(input, 0);
  const at = quantizeQ8_0SimdHeap(input.byteLength, simd, toHalf);
  output.set(new Uint8Array(simd.mem.buffer, at, (input.byteLength / 64) * 34));
}
