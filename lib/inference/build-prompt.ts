import { Llama2ChatWrapper, resolveChatWrapper, type ChatHistoryItem, type LlamaModel, type Token } from "node-llama-cpp";
import type { ChatFormat, ChatMessage, GenerationInput } from "./sampling";

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

function templateChatTokens(model: LlamaModel, messages: ChatMessage[]): Token[] {
  const wrapper = resolveChatWrapper(model);
  // node-llama-cpp's Llama 2 wrapper spaces the markers slightly differently from Meta's reference; use Meta's.
  if (wrapper instanceof Llama2ChatWrapper) return llama2ChatTokens(model, messages);
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === "assistant" ? { type: "model", response: [m.content] } : { type: m.role, text: m.content },
  );
  history.push({ type: "model", response: [] });
  return wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer);
}

/** The prompt tokens of one generation: BOS + the prompt for completions, the chat format for conversations. */
export function buildPrompt(params: { model: LlamaModel; input: GenerationInput }): Token[] {
  const { model, input } = params;
  if (input.mode === "completion") return [...bos(model), ...model.tokenize(input.prompt, false)];
  const format: ChatFormat = input.chatFormat;
  return format === "llama2" ? llama2ChatTokens(model, input.messages) : templateChatTokens(model, input.messages);
}
