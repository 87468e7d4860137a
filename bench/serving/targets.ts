import type { Llama, Token } from "node-llama-cpp";
import { ModelResidency } from "../../lib/inference/residency";
import type { Request } from "./workload";

/** What a request gave back: one time stamp per streamed piece (a token, or a few when the target batches them). */
export type Sent = { promptTokens: number; outputTokens: number; text: string; stamps: number[] };

export type Target = {
  name: string;
  send(req: Request): Promise<Sent>;
  close(): Promise<void>;
};

/** The engine's settings, the same for (b) in-process and for (a)'s worker. */
export type EngineParams = {
  llama: Llama;
  modelPath: string;
  sequences: number;
  contextSize: number;
  prefillChunk?: number;
  prefixCacheTokens?: number;
  /** CPU threads per context (0: node-llama-cpp's default). */
  threads?: number;
};

/** ModelResidency + BatchDecoder as the worker runs them, with the bench's settings instead of INFERENCE_*. */
export async function benchResidency(params: EngineParams): Promise<ModelResidency> {
  const { llama } = params;
  const budgetBytes = llama.gpu === false ? 64 * 2 ** 30 : (await llama.getVramState()).total * 0.9;
  return new ModelResidency({
    llama,
    budgetBytes,
    sequencesFor: () => params.sequences,
    contextSize: params.contextSize,
    prefillChunk: params.prefillChunk,
    prefixCacheTokens: params.prefixCacheTokens,
    threads: params.threads,
  });
}

/**
 * (b) the engine in-process: ModelResidency + BatchDecoder, as the worker runs them, greedy, end-of-sequence ignored.
 * Tokenized as llama-server does (BOS + the text).
 */
export async function engineTarget(params: EngineParams & { name?: string }): Promise<Target & { stats: () => Record<string, number> }> {
  const { modelPath } = params;
  const residency = await benchResidency(params);
  const warm = await residency.acquire({ modelPath });
  const { model, decoder } = warm;
  warm.release();
  const bos = model.tokens.bos;
  return {
    name: params.name ?? "engine",
    stats: () => ({ ...decoder.stats }),
    async send(req) {
      const prompt = [...(bos !== null ? [bos] : []), ...model.tokenize(req.prompt)] as Token[];
      const lease = await residency.acquire({ modelPath });
      const stamps: number[] = [];
      const out: Token[] = [];
      try {
        for await (const t of lease.sequence.generate(prompt, { temperature: 0, maxTokens: req.maxTokens, yieldEog: true })) {
          stamps.push(performance.now());
          out.push(t);
        }
      } finally {
        lease.release();
      }
      return { promptTokens: prompt.length, outputTokens: out.length, text: model.detokenize(out), stamps };
    },
    close: () => residency.dispose(),
  };
}

/** The `data:` payloads of a server-sent event stream, as they arrive (`[DONE]` left out). */
async function* sseData(res: Response, name: string): AsyncGenerator<unknown> {
  if (!res.ok || !res.body) throw new Error(`${name}: HTTP ${res.status} ${await res.text()}`);
  let buffer = "";
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trim();
      if (data !== "[DONE]") yield JSON.parse(data);
    }
  }
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * An OpenAI-compatible /v1/completions, streamed: one stamp per server-sent chunk that carries text. Greedy, with the
 * output length the request asks for. `fetch`: how the request reaches the server ((a) hands it to our route handler
 * in-process). Our /v1 reads no `ignore_eos` (the bench's worker ignores end-of-sequence itself: depot-path.ts).
 */
export function openaiTarget(params: { baseUrl: string; model: string; apiKey?: string; name: string; fetch?: Fetch }): Target {
  const send = params.fetch ?? fetch;
  return {
    name: params.name,
    async send(req) {
      const res = await send(`${params.baseUrl}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(params.apiKey ? { authorization: `Bearer ${params.apiKey}` } : {}) },
        body: JSON.stringify({
          model: params.model,
          prompt: req.prompt,
          max_tokens: req.maxTokens,
          temperature: 0,
          stream: true,
          stream_options: { include_usage: true },
          ignore_eos: true,
        }),
      });
      const stamps: number[] = [];
      let text = "";
      let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
      for await (const data of sseData(res, params.name)) {
        const event = data as { choices?: Array<{ text?: string }>; usage?: typeof usage; error?: { message: string } };
        if (event.error) throw new Error(`${params.name}: ${event.error.message}`);
        const piece = event.choices?.[0]?.text ?? "";
        if (piece) {
          stamps.push(performance.now());
          text += piece;
        }
        if (event.usage) usage = event.usage;
      }
      return { promptTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? stamps.length, text, stamps };
    },
    close: async () => {},
  };
}

/** Llama 2's byte tokens, never sampled by (c): see its request. */
const BYTE_TOKENS = Array.from({ length: 256 }, (_, i) => [3 + i, false]);

/**
 * (c) llama-server through its native `/completion`, streamed: exactly `n_predict` tokens (`ignore_eos`) of the raw
 * prompt (it adds BOS, as (b) does), greedy, its slot prompt cache on. Its OpenAI endpoint parsed every output as chat
 * content (a warning per completion) and ended some early (the 2026-12-03 run). One stamp per streamed token.
 */
export function llamaServerTarget(params: { baseUrl: string; name: string }): Target {
  return {
    name: params.name,
    async send(req) {
      const res = await fetch(`${params.baseUrl}/completion`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        // Llama 2's 256 byte tokens (ids 3–258) banned: random weights pick them, their text is not valid UTF-8, and
        // llama-server's output parser (run on every completion) then fails the request (a third of them on
        // 2026-12-04). The same token costs and lengths otherwise; greedy among the rest.
        body: JSON.stringify({ prompt: req.prompt, n_predict: req.maxTokens, ignore_eos: true, temperature: 0, stream: true, cache_prompt: true, logit_bias: BYTE_TOKENS }),
      });
      const stamps: number[] = [];
      let text = "";
      let promptTokens = 0;
      let outputTokens: number | undefined;
      for await (const data of sseData(res, params.name)) {
        const event = data as { content?: string; stop?: boolean; tokens_predicted?: number; tokens_evaluated?: number; error?: { message: string } };
        if (event.error) throw new Error(`${params.name}: ${event.error.message}`);
        if (event.stop) {
          outputTokens = event.tokens_predicted;
          promptTokens = event.tokens_evaluated ?? 0;
        } else {
          stamps.push(performance.now());
          text += event.content ?? "";
        }
      }
      return { promptTokens, outputTokens: outputTokens ?? stamps.length, text, stamps };
    },
    close: async () => {},
  };
}
