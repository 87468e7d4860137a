import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyGguf } from "../../../test/helpers/tiny-gguf";
import { GGML_QUANT_SIZES, GgmlType, readGguf } from "../../gguf";
import { ChunkPool } from "../chunk-pool";
import { convertModel } from "../convert-model";
import type { ChunkTask } from "../run-chunk";
import { tensorHashes } from "../../../test/helpers/gguf-fixtures";
import { K_QUANT_REFERENCE, quantizeGgufTensors, writeRandomLlama } from "../../../test/helpers/k-quant-fixtures";
import { F16_TO_F32, f32ToF16Bits } from "./float-bits";
import { K_QUANT_FILE_TYPES, type KQuantFileType } from "./k-quant-mix";
import { q4_K, q6_K } from "./k-quants";
import { kQuantsWasmError } from "./k-quants-wasm";

type Reference = { f16: Record<string, { sha256: string }> } & Record<KQuantFileType, { "general.file_type": number; tensors: Record<string, { type: string; sha256: string }> }>;
const reference = async (fixture: string): Promise<Reference> => JSON.parse(await readFile(path.join(K_QUANT_REFERENCE, `${fixture}.json`), "utf8"));

let tmp: string;
const f16: Record<string, string> = {};

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "k-quants-"));
  await writeRandomLlama(path.join(tmp, "random-llama"));
  f16["random-llama"] = path.join(tmp, "random-llama.gguf");
  await convertModel({ inputDir: path.join(tmp, "random-llama"), outFile: f16["random-llama"], type: "f16", durable: false, threads: 1 });
  f16["tiny-llama"] = await tinyGguf();
}, 120_000);
afterAll(() => rm(tmp, { recursive: true, force: true }));

it("run the WebAssembly kernels (these hashes hold them to llama-quantize; k-quants-wasm.spec.ts to the JS kernels)", () => {
  expect(kQuantsWasmError()).toBeNull();
});

describe.each(["tiny-llama", "random-llama"])("K-quants of %s", (fixture) => {
  it("start from the F16 GGUF llama-quantize was given", async () => {
    const ref = await reference(fixture);
    const ours = await tensorHashes(f16[fixture]!);
    expect(Object.fromEntries(Object.entries(ours).map(([k, v]) => [k, v.sha256]))).toEqual(Object.fromEntries(Object.entries(ref.f16).map(([k, v]) => [k, v.sha256])));
  });

  it.each(K_QUANT_FILE_TYPES)("%s: every tensor's type and bytes equal llama-quantize's", async (ft) => {
    const ref = (await reference(fixture))[ft].tensors;
    expect(await quantizeGgufTensors(f16[fixture]!, ft)).toEqual(ref);
  });
});

describe("K-quant kernels in the worker pool", () => {
  it("write llama-quantize's bytes from worker threads (Q2_K..Q6_K and the 32-block fallbacks)", async () => {
    const file = f16["random-llama"]!;
    const g = await readGguf({ file });
    const ref = await reference("random-llama");
    // one tensor per type llama-quantize used, over the file types
    const jobs = new Map<string, { ft: KQuantFileType; name: string; type: GgmlType }>();
    for (const ft of K_QUANT_FILE_TYPES) {
      for (const [name, t] of Object.entries(ref[ft].tensors)) {
        const type = GgmlType[t.type as keyof typeof GgmlType];
        if (type !== GgmlType.F32 && type !== GgmlType.F16 && !jobs.has(t.type)) jobs.set(t.type, { ft, name, type });
      }
    }
    expect([...jobs.keys()].sort()).toEqual(["Q2_K", "Q3_K", "Q4_0", "Q4_K", "Q5_0", "Q5_1", "Q5_K", "Q6_K", "Q8_0"]);
    const out = path.join(tmp, "pool.bin");
    await writeFile(out, "");
    const tasks: ChunkTask[] = [];
    let outOffset = 0;
    for (const { name, type } of jobs.values()) {
      const t = g.tensors.find((x) => x.name === name)!;
      const rowBytes = t.shape[0]! * 2;
      const outRow = (t.shape[0]! / GGML_QUANT_SIZES[type][0]) * GGML_QUANT_SIZES[type][1];
      const rows = t.bytes / rowBytes;
      // two chunks per tensor, so each worker builds and reuses its kernels
      for (const [from, n] of [[0, rows >> 1], [rows >> 1, rows - (rows >> 1)]] as const) {
        tasks.push({
          index: tasks.length, tensor: name, reads: [{ file, offset: t.absoluteOffset + from * rowBytes, length: n * rowBytes }], reorder: null,
          dtype: "F16", kernel: "llama-quantize", ggmlType: type, outOffset: outOffset + from * outRow, outBytes: n * outRow, pad: 0,
        });
      }
      outOffset += rows * outRow;
    }
    const pool = new ChunkPool({ threads: 2, outFile: out, onDone: () => {} });
    try {
      for (const task of tasks) await pool.submit(task);
      await pool.drain();
    } finally {
      await pool.close();
    }
    const written = await readFile(out);
    let at = 0;
    for (const { ft, name, type } of jobs.values()) {
      const t = g.tensors.find((x) => x.name === name)!;
      const len = (t.bytes / (t.shape[0]! * 2)) * (t.shape[0]! / GGML_QUANT_SIZES[type][0]) * GGML_QUANT_SIZES[type][1];
      expect(createHash("sha256").update(written.subarray(at, at + len)).digest("hex"), `${GgmlType[type]} ${name}`).toBe(ref[ft].tensors[name]!.sha256);
      at += len;
    }
  }, 60_000);
});

describe("K-quant blocks", () => {
  it("encode an all-zero super-block as zeros (Q4_K: d = dmin = 0; Q6_K: the whole block)", () => {
    for (const [q, size] of [[q4_K, 144], [q6_K, 210]] as const) {
      const dst = new Uint8Array(size).fill(0xaa);
      q.kernel(new Float32Array(256), dst, f32ToF16Bits, F16_TO_F32);
      expect([...dst], GgmlType[q.ggmlType]).toEqual(new Array(size).fill(0));
    }
  });
});
