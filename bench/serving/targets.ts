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

/**
 * (b) the engine in-process: ModelResidency + BatchDecoder, as the worker runs them, greedy, end-of-sequence ignored.
 * Tokenized as llama-server does (BOS + the text).
 */
export async function engineTarget(params: {
  llama: Llama;
  modelPath: string;
  sequences: number;
  contextSize: number;
  prefillChunk?: number;
  prefixCacheTokens?: number;
  /** CPU threads per context (0: node-llama-cpp's default). */
  threads?: number;
  name?: string;
}): Promise<Target & { stats: () => Record<string, number> }> {
  const { llama, modelPath } = params;
  const budgetBytes = llama.gpu === false ? 64 * 2 ** 30 : (await llama.getVramState()).total * 0.9;
  const residency = new ModelResidency({
    llama,
    budgetBytes,
    sequencesFor: () => params.sequences,
    contextSize: params.contextSize,
    prefillChunk: params.prefillChunk,
    prefixCacheTokens: params.prefixCacheTokens,
    threads: params.threads,
  });
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

/**
 * (c) llama-server, or any OpenAI-compatible /v1/completions (our own /v1 on the CPU machine), streamed: one stamp per
 * server-sent chunk that carries text. Greedy; `ignore_eos` is llama-server's (ours reads `extra` settings only
 * from the engine), `cache_prompt` its slot prompt cache.
 */
export function openaiTarget(params: { baseUrl: string; model: string; apiKey?: string; name: string; cachePrompt?: boolean }): Target {
  return {
    name: params.name,
    async send(req) {
      const res = await fetch(`${params.baseUrl}/v1/completions`, {
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
          cache_prompt: params.cachePrompt ?? true,
        }),
      });
      if (!res.ok || !res.body) throw new Error(`${params.name}: HTTP ${res.status} ${await res.text()}`);
      const stamps: number[] = [];
      let text = "";
      let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
      let buffer = "";
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line.startsWith("data:")) continue;
          const data = line.slice(5).trim();
          if (data === "[DONE]") continue;
          const event = JSON.parse(data) as { choices?: Array<{ text?: string }>; usage?: typeof usage };
          const piece = event.choices?.[0]?.text ?? "";
          if (piece) {
            stamps.push(performance.now());
            text += piece;
          }
          if (event.usage) usage = event.usage;
        }
      }
      return { promptTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? stamps.length, text, stamps };
    },
    close: async () => {},
  };
}
