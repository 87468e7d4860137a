import type { LlamaContextSequence } from "node-llama-cpp";

/**
 * Keeps the decoding sequences of one context in lock-step, so each llama_decode carries one token of every one of
 * them. node-llama-cpp dispatches whatever is queued when a batch ends; sequences whose token came back a little later
 * miss it, and the sequences settle into groups decoded in turns (seen on an H100: 32 sequences in batches of ~16).
 * Each group costs a full pass over the weights, and with per-sequence KV streams a group of scattered sequence ids
 * splits further (see bySequenceId). Here a sequence that got its token waits until every other decoding sequence has
 * its own, then all ask for the next one together. A sequence joins at its first token (prompt processing never
 * holds the others back) and leaves when its generation ends, so a wait lasts at most one batch; `maxWaitMs` is
 * only a safety net.
 */
export class StepBarrier {
  private active = 0;
  private arrived = 0;
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly maxWaitMs = 1000) {}

  /** `sequence` with evaluate() stepping through this barrier; everything else passes through. */
  wrap(sequence: LlamaContextSequence): LlamaContextSequence {
    return new Proxy(sequence, {
      get: (target, prop) => {
        if (prop === "evaluate") {
          return (...args: Parameters<LlamaContextSequence["evaluate"]>) => this.stepped(target.evaluate(...args));
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  private async *stepped<T>(inner: AsyncGenerator<T, void, unknown>): AsyncGenerator<T, void, unknown> {
    let joined = false;
    try {
      for await (const item of inner) {
        if (!joined) {
          joined = true;
          this.active++;
        }
        await this.arrive();
        yield item;
      }
    } finally {
      if (joined) {
        this.active--;
        if (this.arrived > 0 && this.arrived >= this.active) this.release();
      }
    }
  }

  private arrive(): Promise<void> | void {
    if (this.active <= 1) return;
    const wait = new Promise<void>((resolve) => this.waiters.push(resolve));
    // The last arrival releases everyone once the current microtask queue has drained (process.nextTick): by then
    // node-llama-cpp's batch loop has looked for queued work and ended (a token's hand-off is all microtasks), so the
    // released sequences queue their next tokens together and ModelResidency's dispatchSchedule sends them as one
    // batch. Released inside the same microtask run, some would slip into a batch of their own; a setImmediate
    // costs an event-loop turn per step.
    if (++this.arrived >= this.active) process.nextTick(() => this.release());
    else this.timer ??= setTimeout(() => this.release(), this.maxWaitMs);
    return wait;
  }

  private release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.arrived = 0;
    for (const w of this.waiters.splice(0)) w();
  }
}
