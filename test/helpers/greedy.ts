import type { LlamaContextSequence, Token } from "node-llama-cpp";

/** The first `count` greedy tokens llama.cpp generates after `inputIds`, from a cleared sequence. */
export async function greedyTokens(sequence: LlamaContextSequence, inputIds: number[], count: number): Promise<number[]> {
  await sequence.clearHistory();
  const generated: number[] = [];
  for await (const token of sequence.evaluate(inputIds as Token[], { temperature: 0 })) {
    generated.push(token);
    if (generated.length === count) break;
  }
  return generated;
}
