import { describe, expect, it } from "vitest";
import { pickle, stateDictPickle } from "../../../../test/helpers/checkpoint-writers";
import { unpickleStateDict } from "./unpickle-state-dict";

describe("unpickleStateDict", () => {
  it("reads a torch.save state dict without executing anything", () => {
    const pkl = stateDictPickle([
      { name: "a", dtype: "F16", shape: [2, 3], data: Buffer.alloc(12) },
      { name: "b", dtype: "BF16", shape: [4], data: Buffer.alloc(8) },
    ]);
    expect([...unpickleStateDict({ data: pkl, file: "x.bin" })]).toEqual([
      ["a", { storageKey: "0", dtype: "F16", storageNumel: 6, storageOffset: 0, shape: [2, 3] }],
      ["b", { storageKey: "1", dtype: "BF16", storageNumel: 4, storageOffset: 0, shape: [4] }],
    ]);
  });

  it.each([
    ["os.system", pickle.global("os", "system"), /global os\.system is not allowed/],
    ["posix.system", pickle.global("posix", "system"), /global posix\.system is not allowed/],
    ["builtins.getattr", pickle.global("builtins", "getattr"), /global builtins\.getattr is not allowed/],
    ["torch.load", pickle.global("torch", "load"), /global torch\.load is not allowed/],
  ])("refuses the global %s", (_name, global, message) => {
    const pkl = Buffer.concat([pickle.proto(), global, pickle.str("x"), pickle.op(0x85, 0x52, 0x2e)]);
    expect(() => unpickleStateDict({ data: pkl, file: "x.bin" })).toThrow(message);
  });

  it("refuses INST/OBJ/NEWOBJ-style opcodes and truncated input", () => {
    const inst = Buffer.concat([pickle.proto(), pickle.op(0x28), Buffer.from("ios\nsystem\n"), pickle.op(0x2e)]);
    expect(() => unpickleStateDict({ data: inst, file: "x.bin" })).toThrow(/opcode 0x69/);
    const newobj = Buffer.concat([pickle.proto(), pickle.global("collections", "OrderedDict"), pickle.op(0x29, 0x81, 0x2e)]);
    expect(() => unpickleStateDict({ data: newobj, file: "x.bin" })).toThrow(/opcode 0x81/);
    expect(() => unpickleStateDict({ data: pickle.str("abc").subarray(0, 4), file: "x.bin" })).toThrow(/truncated/);
  });

  it("refuses non-contiguous tensors and non-tensor entries", () => {
    const t = { name: "a", dtype: "F16" as const, shape: [2, 3], data: Buffer.alloc(12) };
    const transposed = Buffer.from(stateDictPickle([t]).toString("latin1").replace(
      pickle.int(3).toString("latin1") + pickle.int(1).toString("latin1"),
      pickle.int(1).toString("latin1") + pickle.int(2).toString("latin1"),
    ), "latin1");
    expect(() => unpickleStateDict({ data: transposed, file: "x.bin" })).toThrow(/non-contiguous/);
    const notTensor = Buffer.concat([pickle.proto(), pickle.op(0x7d), pickle.str("k"), pickle.int(1), pickle.op(0x73, 0x2e)]);
    expect(() => unpickleStateDict({ data: notTensor, file: "x.bin" })).toThrow(/entry k is not a tensor/);
  });
});
