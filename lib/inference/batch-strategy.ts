import type { CustomBatchingPrioritizationStrategy, LlamaContext, Token } from "node-llama-cpp";

/** node-llama-cpp 3.21.1 internals (the version is pinned): the queued decodes behind the batch items, with their sequence ids. */
type QueuedDecodes = { _queuedDecodes?: Array<{ tokens: readonly Token[]; sequenceId: number }> };

/**
 * What goes into each llama.cpp decode: a queued prompt (several tokens) alone, else every sequence's next token in
 * increasing sequence id order. Mixing a prompt with other sequences' tokens, or sequences out of id order, sometimes
 * gave a sequence another one's logits with node-llama-cpp 3.21.1 on CPU (swapped tokens between parallel requests in
 * about half of the runs of 50 staggered requests over 4 sequences; none in this order). Prompts go first, so a new
 * request waits at most one step of the others.
 */
export function promptsAloneInSequenceOrder(context: () => LlamaContext | undefined): CustomBatchingPrioritizationStrategy {
  return ({ items, size }) => {
    const prompt = items.find((i) => i.tokens.length > 1);
    if (prompt) return [{ item: prompt, processAmount: Math.min(prompt.tokens.length, size) }];
    const queued = (context() as unknown as QueuedDecodes | undefined)?._queuedDecodes ?? [];
    const ids = new Map(queued.map((q) => [q.tokens, q.sequenceId]));
    const sorted = [...items].sort((a, b) => (ids.get(a.tokens) ?? 0) - (ids.get(b.tokens) ?? 0));
    return sorted.slice(0, size).map((item) => ({ item, processAmount: 1 }));
  };
}
