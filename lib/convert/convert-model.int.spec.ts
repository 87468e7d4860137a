import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlama, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertModel } from "./convert-model";
import { greedyTokens } from "../../test/helpers/greedy";
import { FIXTURE } from "../../test/helpers/gguf-fixtures";

type RefPrompt = { prompt: string; input_ids: number[]; generated_ids: number[] };

// Runs our f16 GGUF through llama.cpp (node-llama-cpp, CPU) and checks it reproduces the fixture's reference
// tokenizations and greedy generations exactly.
describe("convertModel output in llama.cpp", () => {
  let tmp: string;
  let llama: Llama;
  let model: LlamaModel;
  let prompts: RefPrompt[];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "depot-convert-int-"));
    prompts = (JSON.parse(await readFile(path.join(FIXTURE, "ref.json"), "utf8")) as { prompts: RefPrompt[] }).prompts;
    const { outFile } = await convertModel({ inputDir: path.join(FIXTURE, "hf"), outFile: path.join(tmp, "tiny-llama-f16.gguf"), type: "f16" });
    llama = await getLlama({ gpu: false, build: "never" });
    model = await llama.loadModel({ modelPath: outFile });
  });

  afterAll(async () => {
    await model?.dispose();
    await llama?.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  it("tokenizes all 6 prompts as the reference (BOS + SentencePiece)", () => {
    expect(prompts).toHaveLength(6);
    for (const p of prompts) expect([model.tokens.bos, ...model.tokenize(p.prompt)], p.prompt).toEqual(p.input_ids);
  });

  it("reproduces all 6 greedy generations", async () => {
    // One thread: test files run in parallel on small CI machines, and llama.cpp threads spin when oversubscribed.
    const context = await model.createContext({ contextSize: 128, threads: 1 });
    try {
      const sequence = context.getSequence();
      for (const p of prompts) {
        expect(await greedyTokens(sequence, p.input_ids, p.generated_ids.length), p.prompt).toEqual(p.generated_ids);
      }
    } finally {
      await context.dispose();
    }
  });
});
