import { GgufValueType } from "./constants";
import type { GgufScalar, GgufScalarType, GgufValue } from "./types";

const utf8 = new TextEncoder();

/** Growable little-endian byte sink for the (small) header, KV and tensor-info sections. */
export class ByteSink {
  private buf = Buffer.allocUnsafe(1 << 16);
  length = 0;

  /** Grows the buffer if needed and returns where the next `n` bytes go; read `this.buf` only after calling it. */
  private reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(v: number) {
    const at = this.reserve(1);
    this.buf.writeUInt8(v, at);
  }
  i8(v: number) {
    const at = this.reserve(1);
    this.buf.writeInt8(v, at);
  }
  u16(v: number) {
    const at = this.reserve(2);
    this.buf.writeUInt16LE(v, at);
  }
  i16(v: number) {
    const at = this.reserve(2);
    this.buf.writeInt16LE(v, at);
  }
  u32(v: number) {
    const at = this.reserve(4);
    this.buf.writeUInt32LE(v, at);
  }
  i32(v: number) {
    const at = this.reserve(4);
    this.buf.writeInt32LE(v, at);
  }
  f32(v: number) {
    const at = this.reserve(4);
    this.buf.writeFloatLE(v, at);
  }
  f64(v: number) {
    const at = this.reserve(8);
    this.buf.writeDoubleLE(v, at);
  }
  u64(v: number | bigint) {
    const at = this.reserve(8);
    this.buf.writeBigUInt64LE(BigInt(v), at);
  }
  i64(v: number | bigint) {
    const at = this.reserve(8);
    this.buf.writeBigInt64LE(BigInt(v), at);
  }
  bytes(b: Uint8Array) {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }
  zeros(n: number) {
    const at = this.reserve(n);
    this.buf.fill(0, at, this.length);
  }
  string(s: string) {
    const b = utf8.encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  take(): Buffer {
    const out = this.buf.subarray(0, this.length);
    this.buf = Buffer.allocUnsafe(1 << 16);
    this.length = 0;
    return out;
  }
}

function expect<T>(ok: boolean, what: string, v: unknown): asserts v is T {
  if (!ok) throw new TypeError(`GGUF ${what} value expected, got ${typeof v}`);
}

function encodeScalar(sink: ByteSink, type: GgufScalarType, v: GgufScalar): void {
  if (type === GgufValueType.STRING) {
    expect<string>(typeof v === "string", "string", v);
    return sink.string(v);
  }
  if (type === GgufValueType.BOOL) {
    expect<boolean>(typeof v === "boolean", "bool", v);
    return sink.u8(v ? 1 : 0);
  }
  if (type === GgufValueType.UINT64 || type === GgufValueType.INT64) {
    expect<number | bigint>(typeof v === "number" || typeof v === "bigint", "integer", v);
    return type === GgufValueType.UINT64 ? sink.u64(v) : sink.i64(v);
  }
  expect<number>(typeof v === "number", "number", v);
  switch (type) {
    case GgufValueType.UINT8: return sink.u8(v);
    case GgufValueType.INT8: return sink.i8(v);
    case GgufValueType.UINT16: return sink.u16(v);
    case GgufValueType.INT16: return sink.i16(v);
    case GgufValueType.UINT32: return sink.u32(v);
    case GgufValueType.INT32: return sink.i32(v);
    case GgufValueType.FLOAT32: return sink.f32(v);
    case GgufValueType.FLOAT64: return sink.f64(v);
  }
}

/** Appends a value's type code(s) and payload, as gguf-py's `_pack_val`. */
export function encodeValue(sink: ByteSink, value: GgufValue): void {
  sink.u32(value.type);
  if (value.type !== GgufValueType.ARRAY) return encodeScalar(sink, value.type, value.value);
  if (value.itemType === (GgufValueType.ARRAY as number)) throw new TypeError("GGUF nested arrays are not supported");
  sink.u32(value.itemType);
  const items = value.value;
  sink.u64(items.length);
  for (let i = 0; i < items.length; i++) encodeScalar(sink, value.itemType, items[i] as GgufScalar);
}
