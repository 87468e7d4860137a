import type { Token } from "node-llama-cpp";

/** What a sequence's KV cache holds (or will hold once the steps submitted so far have run), read when matching. */
export type HeldTokens = () => readonly Token[];

type Entry = { held: HeldTokens; busy: boolean; lastUsed: number };

export type PrefixMatch = { source: number; length: number };

/**
 * A copy costs one device-to-device copy of the source sequence's whole KV stream (llama.cpp copies streams whole),
 * about as long as decoding a few dozen prompt tokens on an H200 (512 MiB for a 7B model at 1,024 tokens, at ~3 TB/s):
 * a copy is made only when it saves more tokens than that over what the sequence itself holds.
 */
export const MIN_COPY_GAIN = 32;

/**
 * The prefix cache of one context: which tokens each of its sequences holds in the KV cache, so that a prompt that
 * starts with tokens a sequence holds decodes only the rest (the sequence's own cells kept, or another sequence's
 * copied with llama_memory_seq_cp). The cells are the sequences' own (llama.cpp reserves each sequence's cells when the
 * context is made), so holding costs no memory; the budget bounds the tokens kept matchable in idle sequences, the
 * least recently used dropped first. A busy sequence's tokens (a request generating) are never dropped.
 */
export class PrefixCache {
  private readonly entries = new Map<number, Entry>();
  private clock = 0;

  constructor(private readonly budgetTokens: number) {}

  /**
   * The longest prefix of `prompt` held by `target` itself or (with `copies`) by another sequence, at most
   * prompt.length - 1 tokens (the last prompt token is decoded for its logits); null when nothing is worth reusing.
   */
  match(prompt: readonly Token[], target: number, copies: boolean): PrefixMatch | null {
    const limit = prompt.length - 1;
    const own = this.entries.get(target);
    let best: PrefixMatch = { source: target, length: own ? commonPrefix(own.held(), prompt, limit) : 0 };
    if (copies) {
      for (const [id, e] of this.entries) {
        if (id === target) continue;
        const length = commonPrefix(e.held(), prompt, limit);
        if (length >= best.length + MIN_COPY_GAIN || (best.source !== target && length > best.length)) best = { source: id, length };
      }
    }
    if (best.length === 0) return null;
    this.touch(best.source);
    return best;
  }

  /** `id` starts a request: from now on it holds what `held` returns. */
  hold(id: number, held: HeldTokens): void {
    this.entries.set(id, { held, busy: true, lastUsed: ++this.clock });
  }

  /** `id`'s request ended: what it holds stays matchable until the budget needs the room. */
  release(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.busy = false;
    e.lastUsed = ++this.clock;
    this.evict();
  }

  /** `id`'s cells are unknown (a step failed): nothing is matched against it. */
  drop(id: number): void {
    this.entries.delete(id);
  }

  /** Tokens held in the entries kept, busy ones included. */
  heldTokens(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.held().length;
    return n;
  }

  /** Sequences whose tokens are kept, for tests and stats. */
  sequences(): number[] {
    return [...this.entries.keys()].sort((a, b) => a - b);
  }

  private touch(id: number): void {
    const e = this.entries.get(id);
    if (e) e.lastUsed = ++this.clock;
  }

  private evict(): void {
    let total = this.heldTokens();
    while (total > this.budgetTokens) {
      const idle = [...this.entries].filter(([, e]) => !e.busy).sort(([, a], [, b]) => a.lastUsed - b.lastUsed)[0];
      if (!idle) return;
      total -= idle[1].held().length;
      this.entries.delete(idle[0]);
    }
  }
}

function commonPrefix(a: readonly Token[], b: readonly Token[], limit: number): number {
  const n = Math.min(a.length, b.length, limit);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
