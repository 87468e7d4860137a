import { ConvertError } from "../../errors";
import type { SourceDtype } from "../types";

/** A tensor described by the pickle: a view of a storage, itself an entry `data/<key>` of the zip. */
export type PickledTensor = {
  storageKey: string;
  dtype: SourceDtype;
  storageNumel: number;
  storageOffset: number;
  shape: number[];
};

class Tuple {
  constructor(readonly items: unknown[]) {}
}
class Global {
  constructor(readonly module: string, readonly name: string) {}
  get path() {
    return `${this.module}.${this.name}`;
  }
}
class Storage {
  constructor(readonly key: string, readonly storageClass: string, readonly numel: number) {}
}
class Tensor {
  constructor(readonly t: PickledTensor) {}
}

const STORAGE_DTYPES: Record<string, SourceDtype | null> = {
  "torch.HalfStorage": "F16",
  "torch.FloatStorage": "F32",
  "torch.BFloat16Storage": "BF16",
  // Allowed so the error says "unsupported dtype" rather than "unsafe".
  "torch.DoubleStorage": null,
  "torch.LongStorage": null,
  "torch.IntStorage": null,
  "torch.ShortStorage": null,
  "torch.CharStorage": null,
  "torch.ByteStorage": null,
  "torch.BoolStorage": null,
};
// A state dict pickle stays far below these (torch batches SETITEMS/APPENDS by 1000); past them the file is hostile,
// and the error says so instead of running out of memory or stack.
export const PICKLE_LIMITS = { stack: 100_000, marks: 1_000, memo: 1_000_000, items: 1_000_000 };
const CALLABLES = new Set(["collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter"]);

/**
 * Interprets (never executes) a torch.save pickle and returns its tensors by name. Only the opcodes and globals a
 * state dict of tensors needs are accepted; any other global (os.system, builtins.eval, ...) or call is refused.
 */
export function unpickleStateDict(params: { data: Uint8Array; file: string }): Map<string, PickledTensor> {
  const { data, file } = params;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const unsafe = (msg: string): never => {
    throw new ConvertError("unsafe_pickle", msg, file);
  };
  const bad = (msg: string): never => {
    throw new ConvertError("invalid_pickle", msg, file);
  };
  let pos = 0;
  const need = (n: number) => {
    if (n < 0 || pos + n > buf.length) bad(`truncated at byte ${pos}`);
  };
  const u8 = () => (need(1), buf.readUInt8(pos++));
  const u16 = () => (need(2), (pos += 2), buf.readUInt16LE(pos - 2));
  const u32 = () => (need(4), (pos += 4), buf.readUInt32LE(pos - 4));
  const i32 = () => (need(4), (pos += 4), buf.readInt32LE(pos - 4));
  const str = (n: number) => (need(n), (pos += n), buf.toString("utf8", pos - n, pos));
  const line = () => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) bad("unterminated GLOBAL");
    const s = buf.toString("utf8", pos, end);
    pos = end + 1;
    return s;
  };

  const limit = (what: string, max: number): never => bad(`${what} exceeds the limit of ${max.toLocaleString("en")} (not a state dict pickle)`);
  const stack: unknown[] = [];
  // Stack positions of the open MARKs (CPython's metastack), so a MARK is never searched for.
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const push = (v: unknown) => {
    if (stack.length >= PICKLE_LIMITS.stack) limit("pickle stack depth", PICKLE_LIMITS.stack);
    stack.push(v);
  };
  const pop = () => (stack.length === 0 || stack.length === marks.at(-1) ? bad("stack underflow") : stack.pop());
  const top = () => (stack.length === 0 || stack.length === marks.at(-1) ? bad("stack underflow") : stack[stack.length - 1]);
  const popMark = (): unknown[] => {
    const at = marks.pop();
    if (at === undefined) return bad("MARK expected");
    return stack.splice(at);
  };
  const setMemo = (k: number, v: unknown) => {
    if (!memo.has(k) && memo.size >= PICKLE_LIMITS.memo) limit("pickle memo size", PICKLE_LIMITS.memo);
    memo.set(k, v);
  };
  // Items added one at a time (no spread: millions of arguments overflow the call stack).
  const extend = (l: unknown[], items: unknown[]) => {
    if (l.length + items.length > PICKLE_LIMITS.items) limit("a pickled list's length", PICKLE_LIMITS.items);
    for (const v of items) l.push(v);
  };
  const global = (module: string, name: string) => {
    const g = new Global(module, name);
    if (!CALLABLES.has(g.path) && !(g.path in STORAGE_DTYPES)) unsafe(`global ${g.path} is not allowed in a checkpoint`);
    return g;
  };
  const setItems = (target: unknown, kv: unknown[]) => {
    if (!(target instanceof Map)) bad("SETITEM(S) on a non-dict");
    if ((target as Map<unknown, unknown>).size + kv.length / 2 > PICKLE_LIMITS.items) limit("a pickled dict's size", PICKLE_LIMITS.items);
    for (let i = 0; i + 1 < kv.length; i += 2) (target as Map<unknown, unknown>).set(kv[i], kv[i + 1]);
  };
  const ints = (v: unknown, what: string): number[] => {
    if (!(v instanceof Tuple) || !v.items.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) bad(`${what} must be a tuple of integers`);
    return (v as Tuple).items as number[];
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof Global)) return unsafe("REDUCE on a value that is not an allowed global");
    if (!(args instanceof Tuple)) return bad("REDUCE arguments must be a tuple");
    if (!CALLABLES.has(fn.path)) return unsafe(`call to ${fn.path} is not allowed in a checkpoint`);
    if (fn.path === "collections.OrderedDict") return new Map();
    if (fn.path === "torch._utils._rebuild_parameter") {
      if (!(args.items[0] instanceof Tensor)) bad("_rebuild_parameter expects a tensor");
      return args.items[0];
    }
    const [storage, offset, sizeT, strideT] = args.items;
    if (!(storage instanceof Storage)) return bad("_rebuild_tensor_v2 expects a storage");
    if (!Number.isSafeInteger(offset) || (offset as number) < 0) bad("bad storage offset");
    const shape = ints(sizeT, "tensor size");
    const stride = ints(strideT, "tensor stride");
    if (stride.length !== shape.length) bad("size and stride lengths differ");
    let expect = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (shape[d] !== 1 && stride[d] !== expect) bad(`non-contiguous tensor (size [${shape}], stride [${stride}]) is not supported`);
      expect *= shape[d]!;
    }
    const dtype = STORAGE_DTYPES[storage.storageClass];
    if (!dtype) throw new ConvertError("unsupported_dtype", `${storage.storageClass} tensors are not supported (F32, F16, BF16)`, file);
    return new Tensor({ storageKey: storage.key, dtype, storageNumel: storage.numel, storageOffset: offset as number, shape });
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: need(8); pos += 8; break; // FRAME: framing is only a hint
      case 0x2e: { // STOP
        const result = pop();
        if (!(result instanceof Map)) return bad("top-level object is not a dict");
        const out = new Map<string, PickledTensor>();
        for (const [k, v] of result) {
          if (typeof k !== "string") bad("state dict key is not a string");
          if (!(v instanceof Tensor)) bad(`state dict entry ${String(k)} is not a tensor`);
          out.set(k as string, (v as Tensor).t);
        }
        return out;
      }
      case 0x28: // MARK
        if (marks.length >= PICKLE_LIMITS.marks) limit("MARK nesting", PICKLE_LIMITS.marks);
        marks.push(stack.length);
        break;
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x29: push(new Tuple([])); break; // EMPTY_TUPLE
      case 0x74: push(new Tuple(popMark())); break; // TUPLE
      case 0x85: push(new Tuple([pop()])); break;
      case 0x86: { const b = pop(); const a = pop(); push(new Tuple([a, b])); break; }
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push(new Tuple([a, b, c])); break; }
      case 0x64: { const m = new Map(); setItems(m, popMark()); push(m); break; } // DICT
      case 0x6c: push(popMark()); break; // LIST
      case 0x58: push(str(u32())); break; // BINUNICODE
      case 0x8c: push(str(u8())); break; // SHORT_BINUNICODE
      case 0x4a: push(i32()); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: { // LONG1
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[pos + i]!);
        if (n > 0 && buf[pos + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: need(8); push(buf.readDoubleBE(pos)); pos += 8; break; // BINFLOAT
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break;
      case 0x89: push(false); break;
      case 0x71: setMemo(u8(), top()); break; // BINPUT
      case 0x72: setMemo(u32(), top()); break; // LONG_BINPUT
      case 0x94: setMemo(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) bad(`memo ${k} is not set`);
        push(memo.get(k));
        break;
      }
      case 0x63: { const module = line(); push(global(module, line())); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") bad("STACK_GLOBAL expects two strings");
        push(global(module as string, name as string));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        const [tag, cls, key, , numel] = pid instanceof Tuple ? pid.items : [];
        if (tag !== "storage" || !(cls instanceof Global) || !(cls.path in STORAGE_DTYPES) || typeof key !== "string" || !Number.isSafeInteger(numel)) {
          bad("persistent id is not a torch storage reference");
        }
        if (!/^[0-9A-Za-z_]+$/.test(key as string)) bad(`bad storage key ${JSON.stringify(key)}`);
        push(new Storage(key as string, (cls as Global).path, numel as number));
        break;
      }
      case 0x52: { const args = pop(); push(call(pop(), args)); break; } // REDUCE
      case 0x62: { // BUILD: only the attribute dict torch attaches to a state dict (`_metadata`)
        pop();
        if (!(top() instanceof Map)) unsafe("BUILD is only allowed on a dict");
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x61: { const v = pop(); const l = top(); if (!Array.isArray(l)) bad("APPEND on a non-list"); extend(l as unknown[], [v]); break; }
      case 0x65: { const items = popMark(); const l = top(); if (!Array.isArray(l)) bad("APPENDS on a non-list"); extend(l as unknown[], items); break; }
      default:
        unsafe(`pickle opcode 0x${op.toString(16).padStart(2, "0")} at byte ${pos - 1} is not allowed in a checkpoint`);
    }
  }
}
