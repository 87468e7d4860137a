import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llama3Ref, tinyLlama3Dir, type Llama3Ref } from "../../test/helpers/tiny-llama3";
import { convertModel } from "./convert-model";
import { greedyTokens } from "../../test/helpers/greedy";

// Our f16 GGUFs of the tiny Llama 3.x models in llama.cpp (node-llama-cpp, CPU): the same token ids and greedy tokens
// as transformers (test/fixtures/tiny-llama3/ref.json) for every prompt.
describe.each(["llama3.1", "llama3.2"] as const)("the converted %s-shaped model in llama.cpp", (variant) => {
  let tmp: string;
  let llama: Llama;
  let ref: Llama3Ref["variants"][typeof variant];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "depot-llama3-int-"));
    ref = (await llama3Ref()).variants[variant];
    llama = await getLlama({ gpu: false, build: "never" });
  });
  afterAll(async () => {
    await llama?.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  it.each(["hf", "meta"] as const)("from the %s form: tokenization and greedy generations of all 8 prompts", async (form) => {
    const outFile = path.join(tmp, `${form}.gguf`);
    await convertModel({ inputDir: await tinyLlama3Dir(form, variant), outFile, type: "f16", durable: false });
    const model = await llama.loadModel({ modelPath: outFile });
    // One thread: test files run in parallel on small CI machines, and llama.cpp threads spin when oversubscribed.
    const context = await model.createContext({ contextSize: 128, threads: 1 });
    try {
      expect(ref.prompts).toHaveLength(8);
      const sequence = context.getSequence();
      for (const p of ref.prompts) {
        expect([model.tokens.bos, ...model.tokenize(p.prompt)], p.prompt).toEqual(p.input_ids);
        expect(await greedyTokens(sequence, p.input_ids, p.generated_ids.length), p.prompt).toEqual(p.generated_ids);
      }
    } finally {
      await context.dispose();
      await model.dispose();
    }
  });
});
