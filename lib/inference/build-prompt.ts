import path from "node:path";
import { Llama2ChatWrapper, resolveChatWrapper, type ChatHistoryItem, type ChatWrapper, type LlamaModel, type Token } from "node-llama-cpp";
import { compileChatTemplate, type ChatTemplate } from "./chat-template";
import type { ChatFormat, ChatMessage, GenerationInput } from "../generation/sampling";

function bos(model: LlamaModel): Token[] {
  const b = model.tokens.bos;
  return b !== null && model.tokens.shouldPrependBosToken ? [b] : [];
}

/**
 * Meta's Llama 2 chat format, as its reference `chat_completion` encodes it: each finished [user, assistant]
 * pair is BOS + "[INST] {user} [/INST] {answer} " + EOS, the last user turn BOS + "[INST] {user} [/INST]",
 * and a system message is folded into the first user turn between <<SYS>> markers. User text never
 * produces special tokens.
 */
function llama2ChatTokens(model: LlamaModel, messages: ChatMessage[]): Token[] {
  const b = model.tokens.bos;
  const e = model.tokens.eos;
  if (b === null || e === null) throw new Error("the Llama 2 chat format needs BOS and EOS tokens");
  let turns = messages;
  const first = turns[0];
  if (first?.role === "system") {
    const second = turns[1];
    const rest = turns.slice(2);
    const folded = `<<SYS>>\n${first.content}\n<</SYS>>\n\n${second?.role === "user" ? second.content : ""}`;
    turns = [{ role: "user", content: folded }, ...(second && second.role !== "user" ? [second] : []), ...rest];
  }
  const out: Token[] = [];
  for (let i = 0; i < turns.length; i += 2) {
    const user = turns[i]!;
    const answer = turns[i + 1];
    if (user.role !== "user" || (answer && answer.role !== "assistant")) {
      throw new Error("the Llama 2 chat format needs alternating user/assistant messages after an optional system message");
    }
    const text = answer ? `[INST] ${user.content.trim()} [/INST] ${answer.content.trim()} ` : `[INST] ${user.content.trim()} [/INST]`;
    out.push(b, ...model.tokenize(text, false), ...(answer ? [e] : []));
  }
  if (turns.at(-1)?.role !== "user") throw new Error("the last chat message must come from the user");
  return out;
}

/** How a model's conversations become tokens under "auto", decided once per loaded model. */
type AutoChat =
  | { kind: "llama2" }
  | { kind: "template"; template: ChatTemplate; specialIds: ReadonlyMap<string, Token> }
  | { kind: "wrapper"; wrapper: ChatWrapper };

const autoChats = new WeakMap<LlamaModel, AutoChat>();

/** Meta's Llama 2 template (HF's Llama-2-chat one, or a copy of it): its conversations get Meta's own encoding. */
const isLlama2Template = (source: string) => source.includes("[INST]") && source.includes("<<SYS>>");

function autoChat(model: LlamaModel): AutoChat {
  let chat = autoChats.get(model);
  if (chat) return chat;
  const source = model.fileInfo.metadata.tokenizer?.chat_template;
  if (typeof source === "string" && source.trim() !== "" && !isLlama2Template(source)) {
    // The control tokens, by the text llama.cpp gives them: the template's text of these becomes these tokens.
    const specialIds = new Map<string, Token>();
    for (const t of model.iterateAllTokens()) {
      const text = model.getTokenAttributes(t).control ? model.detokenize([t], true) : "";
      if (text !== "" && !specialIds.has(text)) specialIds.set(text, t);
    }
    const text = (t: Token | null) => (t === null ? "" : model.detokenize([t], true));
    try {
      const template = compileChatTemplate({ source, bosToken: text(model.tokens.bos), eosToken: text(model.tokens.eos), specialTokens: [...specialIds.keys()] });
      chat = { kind: "template", specialIds, template };
    } catch (err) {
      throw new Error(`${path.basename(model.filename ?? "the model")}: ${(err as Error).message}`);
    }
  } else {
    // No template (or Llama 2's): node-llama-cpp's pick by the model's name and architecture. For Llama 2, Meta's
    // encoding: node-llama-cpp's Llama 2 wrapper spaces the markers slightly differently from Meta's reference.
    const wrapper = resolveChatWrapper(model);
    chat = wrapper instanceof Llama2ChatWrapper || (typeof source === "string" && isLlama2Template(source)) ? { kind: "llama2" } : { kind: "wrapper", wrapper };
  }
  autoChats.set(model, chat);
  return chat;
}

/**
 * "auto": the model's own chat template rendered as transformers renders it (chat-template.ts), its special-token text
 * tokenized as those tokens and everything else, message content included, as plain text; the template writes the BOS.
 */
function autoChatTokens(model: LlamaModel, messages: ChatMessage[]): Token[] {
  const chat = autoChat(model);
  if (chat.kind === "llama2") return llama2ChatTokens(model, messages);
  if (chat.kind === "template") {
    return chat.template.render(messages).flatMap((p) => ("special" in p ? [chat.specialIds.get(p.special)!] : model.tokenize(p.text, false)));
  }
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === "assistant" ? { type: "model", response: [m.content] } : { type: m.role, text: m.content },
  );
  history.push({ type: "model", response: [] });
  return chat.wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer);
}

/** The prompt tokens of one generation: BOS + the prompt for completions, the chat format for conversations. */
export function buildPrompt(params: { model: LlamaModel; input: GenerationInput }): Token[] {
  const { model, input } = params;
  if (input.mode === "completion") return [...bos(model), ...model.tokenize(input.prompt, false)];
  const format: ChatFormat = input.chatFormat;
  return format === "llama2" ? llama2ChatTokens(model, input.messages) : autoChatTokens(model, input.messages);
}
