import { Template } from "@huggingface/jinja";
import type { ChatMessage } from "../generation/sampling";

/** A piece of a rendered chat prompt: a special token's text, or text to tokenize as plain text. */
export type ChatPiece = { special: string } | { text: string };

export type ChatTemplate = {
  /** Renders the conversation with the generation prompt, split so that only the template's own text holds special tokens. */
  render(messages: readonly ChatMessage[]): ChatPiece[];
};

// A Unicode noncharacter (never in real text or in a template) that breaks special-token text inside message content, so
// a user's "<|eot_id|>" is never found as one. Content's own U+FDD0 is doubled and comes back as one.
const MARK = "\uFDD0";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Compiles a GGUF's `tokenizer.chat_template` (Jinja) the way transformers' `apply_chat_template` renders it: `messages`,
 * `bos_token`, `eos_token`, `add_generation_prompt: true`, with trim_blocks/lstrip_blocks, `raise_exception` and
 * `strftime_now` (from @huggingface/jinja); no `date_string`, so Llama 3.1's template writes its own default date.
 * `specialTokens`: the text of every control token of the vocabulary.
 */
export function compileChatTemplate(params: { source: string; bosToken: string; eosToken: string; specialTokens: readonly string[] }): ChatTemplate {
  let template: Template;
  try {
    template = new Template(params.source);
  } catch (err) {
    throw new Error(`the model's chat template (tokenizer.chat_template) does not parse: ${(err as Error).message}`);
  }
  // A one-character token's text cannot be broken by a MARK: such tokens (none in Llama vocabularies) stay plain text.
  const specials = [...new Set(params.specialTokens)].filter((s) => [...s].length > 1).sort((a, b) => b.length - a.length);
  // Longest first, so that of two special tokens starting at one place the longer is taken; (?!) matches nothing.
  const anySpecial = new RegExp(specials.map(escapeRegExp).join("|") || "(?!)", "g");
  // Content that ends with the start of a special token's text, or starts with its end, could form one with the
  // template's text around it: a MARK at that edge prevents it.
  const prefixes = new Set(specials.flatMap((s) => Array.from({ length: s.length - 1 }, (_, i) => s.slice(0, i + 1))));
  const suffixes = new Set(specials.flatMap((s) => Array.from({ length: s.length - 1 }, (_, i) => s.slice(i + 1))));
  const edges = (s: string) => Array.from({ length: Math.min(specials[0]?.length ?? 0, s.length) }, (_, i) => i + 1);

  const escape = (content: string): string => {
    const out = content.replaceAll(MARK, MARK + MARK).replace(anySpecial, (s) => {
      const first = String.fromCodePoint(s.codePointAt(0)!);
      return first + MARK + s.slice(first.length);
    });
    const before = edges(out).some((k) => suffixes.has(out.slice(0, k))) ? MARK : "";
    const after = edges(out).some((k) => prefixes.has(out.slice(out.length - k))) ? MARK : "";
    return before + out + after;
  };

  return {
    render(messages) {
      const text = renderText(template, params, messages.map((m) => ({ role: m.role, content: escape(m.content) })));
      const pieces: ChatPiece[] = [];
      let at = 0;
      for (const m of text.matchAll(anySpecial)) {
        if (m.index > at) pieces.push({ text: unescape(text.slice(at, m.index)) });
        pieces.push({ special: m[0] });
        at = m.index + m[0].length;
      }
      if (at < text.length) pieces.push({ text: unescape(text.slice(at)) });
      return pieces.filter((p) => !("text" in p) || p.text !== "");
    },
  };
}

function renderText(template: Template, params: { bosToken: string; eosToken: string }, messages: ChatMessage[]): string {
  try {
    return template.render({ messages, bos_token: params.bosToken, eos_token: params.eosToken, add_generation_prompt: true });
  } catch (err) {
    throw new Error(`the model's chat template (tokenizer.chat_template) failed on this conversation: ${(err as Error).message}`);
  }
}

/** Undoes the content escaping: a doubled MARK is content's own, a single one was inserted. */
function unescape(text: string): string {
  return text.replace(/\uFDD0\uFDD0?/g, (m) => (m.length === 2 ? MARK : ""));
}
