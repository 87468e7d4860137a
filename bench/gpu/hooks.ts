// Measurement hooks into node-llama-cpp 3.21.1 (the version is pinned; `_ctx` is its internal native context object),
// shared by the GPU bench and its probes.
import type { LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";

type Fn = (...args: unknown[]) => unknown;

/**
 * Replaces methods of a context's native object: each override is made from the original method (bound). Returns a
 * function that puts the untouched native object back.
 */
export function overrideNative(ctx: LlamaContext, overrides: Record<string, (original: Fn) => Fn>): () => void {
  const holder = ctx as unknown as { _ctx: Record<string, unknown> };
  const raw = holder._ctx;
  holder._ctx = new Proxy(raw, {
    get(target, prop) {
      const v = target[prop as string];
      if (typeof v !== "function") return v;
      const original = (v as Fn).bind(target);
      const override = typeof prop === "string" ? overrides[prop] : undefined;
      return override ? override(original) : original;
    },
  });
  return () => {
    holder._ctx = raw;
  };
}

type EvaluateOptions = NonNullable<Parameters<LlamaContextSequence["evaluate"]>[1]>;

/** The sequence, calling `onToken` as each token its evaluate() yields is handed on; `options` join every evaluate call. */
export function onEachToken(seq: LlamaContextSequence, onToken: () => void, options: EvaluateOptions = {}): LlamaContextSequence {
  return new Proxy(seq, {
    get(target, prop) {
      if (prop === "evaluate") {
        return (tokens: Token[], opts: EvaluateOptions = {}) => {
          const inner = target.evaluate(tokens, { ...opts, ...options });
          return (async function* () {
            for await (const t of inner) {
              onToken();
              yield t;
            }
          })();
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as Fn).bind(target) : v;
    },
  });
}
