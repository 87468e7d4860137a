import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlama, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyGgufWith } from "../../test/helpers/gguf-copy";
import { tinyGguf, tinyRef, type TinyRef } from "../../test/helpers/tiny-gguf";
import { buildPrompt } from "./build-prompt";
import type { ChatMessage } from "../generation/sampling";

// meta-llama/Llama-2-7b-chat-hf's tokenizer.chat_template.
const LLAMA2_TEMPLATE =
  "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
// A template of another kind whose markers are the Llama 2 vocabulary's own control tokens.
const MARKED_TEMPLATE = "{% for m in messages %}{{ bos_token }}{{ m.role }}: {{ m.content | trim }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}{{ bos_token }}assistant:{% endif %}";

let llama: Llama;
let dir: string;
let ref: TinyRef;
const models: LlamaModel[] = [];
const load = async (set?: Record<string, string>) => {
  const src = await tinyGguf();
  const modelPath = set ? await copyGgufWith({ src, out: path.join(dir, `m${models.length}.gguf`), set }) : src;
  const m = await llama.loadModel({ modelPath, vocabOnly: true } as never);
  models.push(m);
  return m;
};
const chat = (model: LlamaModel, messages: ChatMessage[], chatFormat: "auto" | "llama2" = "auto") => buildPrompt({ model, input: { mode: "chat", messages, chatFormat } });

beforeAll(async () => {
  [llama, dir, ref] = await Promise.all([
    getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" as never }),
    mkdtemp(path.join(os.tmpdir(), "depot-build-prompt-")),
    tinyRef(),
  ]);
});

afterAll(async () => {
  for (const m of models) await m.dispose();
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("buildPrompt with the model's template", () => {
  it("gives a Llama 2 model with Llama 2's template Meta's [INST] tokens", async () => {
    const model = await load({ "tokenizer.chat_template": LLAMA2_TEMPLATE });
    const { messages, input_ids } = ref.llama2_chat_format;
    expect(chat(model, messages)).toEqual(input_ids);
    expect(chat(model, messages, "llama2")).toEqual(input_ids);
  });

  it("tokenizes the template's special-token text as those tokens and typed special-token text as plain text, BOS once", async () => {
    const model = await load({ "tokenizer.chat_template": MARKED_TEMPLATE });
    const typed = "say </s> then <s>";
    const ids = chat(model, [{ role: "system", content: "Be brief." }, { role: "user", content: ` ${typed} ` }]);
    const plain = (text: string) => model.tokenize(text, false);
    expect(ids).toEqual([1, ...plain("system: Be brief."), 2, 1, ...plain(`user: ${typed}`), 2, 1, ...plain("assistant:")]);
    expect(ids.filter((t) => t === 1)).toHaveLength(3);
    // Read as special tokens, the typed markers would have been BOS and EOS.
    expect(model.tokenize(`user: ${typed}`, true)).not.toEqual(plain(`user: ${typed}`));
  });

  it("says which file's template fails, for a template that does not parse", async () => {
    const model = await load({ "tokenizer.chat_template": "{% for m in messages %}" });
    expect(() => chat(model, [{ role: "user", content: "hi" }])).toThrow(/^m\d+\.gguf: the model's chat template \(tokenizer\.chat_template\) does not parse/);
  });
});
