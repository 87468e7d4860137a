import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgufValueType, type GgufKv } from "../../gguf";
import { LLAMA3_FIXTURE } from "../../../test/helpers/llama3-fixtures";
import { readSpecialVocabFiles, specialVocabKv, type TokenizerJson } from "./special-vocab";

type Case = { name: string; files: Record<string, unknown>; expected: { key: string; type: string; value: unknown }[] };
const { cases } = JSON.parse(await readFile(path.join(LLAMA3_FIXTURE, "special-vocab-cases.json"), "utf8")) as { cases: Case[] };

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "depot-special-vocab-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const typeName = (kv: GgufKv) => (kv.type === GgufValueType.ARRAY ? `ARRAY_${GgufValueType[kv.itemType]}` : GgufValueType[kv.type]);

describe("specialVocabKv writes what gguf-py's SpecialVocab writes", () => {
  it.each(cases)("$name", async ({ files, expected }) => {
    const dir = await mkdtemp(path.join(root, "case-"));
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
    }
    const tokenizerFile = path.join(dir, "tokenizer.json");
    const tokenizer = JSON.parse(await readFile(tokenizerFile, "utf8")) as TokenizerJson;
    const kv = specialVocabKv({ tokenizer, tokenizerFile, ...(await readSpecialVocabFiles(dir)) });
    expect(kv.map((k) => ({ key: k.key, type: typeName(k), value: k.value }))).toEqual(expected);
  });
});

it("a negative special token id is an error naming the file that gives it", () => {
  const input = { tokenizer: null, tokenizerFile: "/m/tokenizer.json", tokenizerConfig: null, chatTemplateJinja: null, additionalChatTemplates: [], chatTemplateJson: undefined };
  expect(() => specialVocabKv({ ...input, config: { eos_token_id: -1 } })).toThrow("/m/config.json: invalid value for special token type eos: -1");
});
