import type { LlamaGrammar, LlamaModel, Token } from "node-llama-cpp";
import { LlamaGrammarEvaluationState } from "node-llama-cpp";
import type { DecoderSequence, SequenceSampling } from "./batch-decoder";
import type { SamplingParams } from "../generation/sampling";
import { createStopMatcher } from "./stop-matcher";
import { CancelledError } from "../errors";

export type GenerationResult = {
  text: string;
  /** The generated token ids (a stop string's tokens included, as generated). */
  tokens: number[];
  promptTokens: number;
  finishReason: "stop" | "length";
  /** Time to first token, from the start of prompt evaluation. */
  ttftMs: number;
  durationMs: number;
};

/**
 * Generates on one context sequence (which starts from an empty history, so requests never see each other's
 * tokens). `onText` receives each newly safe piece of text (stop strings are never streamed).
 */
export async function generateTokens(params: {
  sequence: DecoderSequence;
  model: LlamaModel;
  promptTokens: Token[];
  sampling: SamplingParams;
  grammar?: LlamaGrammar;
  signal?: AbortSignal;
  onText?: (delta: string) => void;
  /** Settings for the sequence beyond `sampling` (the GPU bench's yieldEog). */
  extra?: Partial<SequenceSampling>;
}): Promise<GenerationResult> {
  const { sequence, model, promptTokens, sampling: s } = params;
  const started = performance.now();
  if (promptTokens.length + s.maxTokens > sequence.contextSize) {
    throw new RangeError(`prompt (${promptTokens.length} tokens) + max tokens (${s.maxTokens}) exceed the context size ${sequence.contextSize}`);
  }
  const stopMatcher = createStopMatcher(s.stop);
  const grammarState = params.grammar ? new LlamaGrammarEvaluationState({ model, grammar: params.grammar }) : undefined;
  const tokens: Token[] = [];
  let emitted = 0;
  let ttftMs = 0;
  let finishReason: GenerationResult["finishReason"] = "stop";
  let stopped = false;
  const gen = sequence.generate(promptTokens, {
    temperature: s.temperature,
    maxTokens: s.maxTokens,
    ...(s.temperature > 0 ? { topK: s.topK, topP: s.topP, seed: s.seed ?? Date.now() % 2 ** 31 } : {}),
    ...(s.repeatPenalty > 1 ? { repeatPenalty: s.repeatPenalty } : {}),
    ...(grammarState ? { grammar: grammarState } : {}),
    ...params.extra,
  });
  // The text so far, detokenized incrementally: `committed` is the text of tokens[0, committedTokens); the tokens after
  // it are detokenized again with each new token (with the committed tail as context, for the leading space) until
  // they end on a whole character. Detokenizing every token list in full made each token cost O(length).
  let committed = "";
  let committedTokens = 0;
  for await (const token of gen) {
    if (params.signal?.aborted) throw new CancelledError();
    if (tokens.length === 0) ttftMs = performance.now() - started;
    tokens.push(token);
    const pending = model.detokenize(tokens.slice(committedTokens), false, tokens.slice(Math.max(0, committedTokens - 4), committedTokens));
    const text = committed + pending;
    // A piece ending in U+FFFD may be the first bytes of a character split over byte tokens: keep it pending (at most
    // 8 tokens, so invalid bytes from the model cannot hold the text back for long).
    if (!pending.endsWith("\uFFFD") || tokens.length - committedTokens >= 8) {
      committed = text;
      committedTokens = tokens.length;
    }
    const match = stopMatcher(text);
    if (match.safe.length > emitted) {
      params.onText?.(match.safe.slice(emitted));
      emitted = match.safe.length;
    }
    if (match.stopped) {
      stopped = true;
      break;
    }
    if (tokens.length >= s.maxTokens) {
      finishReason = "length";
      break;
    }
  }
  const full = model.detokenize(tokens);
  const text = stopped ? stopMatcher(full).safe : full;
  if (text.length > emitted) params.onText?.(text.slice(emitted));
  return { text, tokens, promptTokens: promptTokens.length, finishReason, ttftMs, durationMs: performance.now() - started };
}
