import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TINY_REF_JSON, tinyGguf } from "../../test/helpers/tiny-gguf";
import { K_QUANT_FILE_TYPES } from "./quants/k-quant-mix";
import { convertModel } from "./convert-model";
import { quantizeGguf } from "./quantize-gguf";
import { greedyTokens } from "../../test/helpers/greedy";
import { writeRandomLlama } from "../../test/helpers/k-quant-fixtures";

type Ref = { prompts: { prompt: string; input_ids: number[]; generated_ids: number[]; margins: number[] }[] };

// Every K-quant file type of the tiny Llama 2 fixture loads in llama.cpp (node-llama-cpp, CPU) and generates; Q6_K's
// greedy tokens equal f16's (= transformers', ref.json) as long as f16's top1-top2 margin stays wide.
describe("K-quant files in llama.cpp", () => {
  let tmp: string;
  let llama: Llama;
  let ref: Ref;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "depot-kq-run-"));
    llama = await getLlama({ gpu: false, build: "never" });
    ref = JSON.parse(await readFile(TINY_REF_JSON, "utf8")) as Ref;
  });
  afterAll(async () => {
    await llama?.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  it.each(K_QUANT_FILE_TYPES)("%s loads and generates", async (type) => {
    const outFile = path.join(tmp, `tiny-${type}.gguf`);
    await quantizeGguf({ inFile: await tinyGguf(), outFile, type, durable: false, threads: 1 });
    const model = await llama.loadModel({ modelPath: outFile });
    const context = await model.createContext({ contextSize: 128, threads: 1 });
    try {
      const sequence = context.getSequence();
      const agreeing: number[] = [];
      for (const p of ref.prompts) {
        const got = await greedyTokens(sequence, p.input_ids, p.generated_ids.length);
        expect(got, p.prompt).toHaveLength(p.generated_ids.length);
        let same = 0;
        while (same < got.length && got[same] === p.generated_ids[same]) same++;
        agreeing.push(same);
        if (type === "Q6_K") {
          // Up to the first step where f16's own margin is narrow (< 2 logits), Q6_K must pick the same tokens.
          const wide = p.margins.findIndex((m) => m < 2);
          const upTo = wide === -1 ? p.margins.length : wide;
          expect(got.slice(0, upTo), p.prompt).toEqual(p.generated_ids.slice(0, upTo));
        }
      }
      console.log(`${type}: greedy tokens equal to f16's before the first difference, per prompt: ${agreeing.join(", ")}`);
    } finally {
      await context.dispose();
      await model.dispose();
    }
  });
});

// The random GQA Llama of the K-quant references has rows of 256, so its files hold real Q2_K…Q6_K blocks.
describe("K-quant blocks in llama.cpp", () => {
  it("every file type of the 256-wide random Llama loads and generates 8 tokens", async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), "depot-kq-blocks-"));
    const llama = await getLlama({ gpu: false, build: "never" });
    try {
      await writeRandomLlama(path.join(tmp, "random"));
      const f16 = path.join(tmp, "random-f16.gguf");
      await convertModel({ inputDir: path.join(tmp, "random"), outFile: f16, type: "f16", durable: false, threads: 1 });
      for (const type of K_QUANT_FILE_TYPES) {
        const outFile = path.join(tmp, `random-${type}.gguf`);
        await quantizeGguf({ inFile: f16, outFile, type, durable: false, threads: 1 });
        const model = await llama.loadModel({ modelPath: outFile });
        const context = await model.createContext({ contextSize: 64, threads: 1 });
        try {
          expect(await greedyTokens(context.getSequence(), [1, 450, 7483, 310], 8), type).toHaveLength(8);
        } finally {
          await context.dispose();
          await model.dispose();
        }
      }
    } finally {
      await llama.dispose();
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

