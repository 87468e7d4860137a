import { z } from "zod";
import { CHAT_FORMATS, type GenerationInput, type SamplingInput } from "../generation/sampling";

const common = {
  model: z.string().min(1),
  max_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(8)]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  n: z.literal(1).nullish(),
  user: z.string().nullish(),
  // llama.cpp-server-style extensions
  top_k: z.number().int().min(0).nullish(),
  repeat_penalty: z.number().min(1).max(2).nullish(),
};

export const completionRequest = z.object({
  ...common,
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
});

const contentPart = z.object({ type: z.literal("text"), text: z.string() });
export const chatRequest = z.object({
  ...common,
  max_completion_tokens: z.number().int().min(1).nullish(),
  messages: z
    .array(
      z.object({
        role: z.enum(["system", "developer", "user", "assistant"]),
        content: z.union([z.string(), z.array(contentPart)]),
      }),
    )
    .min(1),
  response_format: z
    .union([
      z.object({ type: z.literal("text") }),
      z.object({ type: z.literal("json_object") }),
      z.object({ type: z.literal("json_schema"), json_schema: z.object({ name: z.string().optional(), schema: z.record(z.string(), z.unknown()) }) }),
    ])
    .nullish(),
  chat_format: z.enum(CHAT_FORMATS).nullish(),
});

export type CompletionRequest = z.infer<typeof completionRequest>;
export type ChatRequest = z.infer<typeof chatRequest>;

/** OpenAI's defaults where they differ from ours: temperature 1, and 16 tokens for legacy completions. */
function sampling(r: CompletionRequest | ChatRequest, defaultMax: number): SamplingInput {
  const stop = r.stop == null ? [] : typeof r.stop === "string" ? [r.stop] : r.stop;
  const maxTokens = ("max_completion_tokens" in r ? r.max_completion_tokens : undefined) ?? r.max_tokens ?? defaultMax;
  return {
    temperature: r.temperature ?? 1,
    topP: r.top_p ?? 1,
    ...(r.top_k != null ? { topK: r.top_k } : {}),
    ...(r.repeat_penalty != null ? { repeatPenalty: r.repeat_penalty } : {}),
    ...(r.seed != null ? { seed: Math.abs(r.seed) % 2 ** 31 } : {}),
    maxTokens,
    stop: stop.filter(Boolean),
  };
}

export function completionToGeneration(r: CompletionRequest): { input: GenerationInput; sampling: SamplingInput } {
  const prompt = typeof r.prompt === "string" ? r.prompt : r.prompt[0]!;
  return { input: { mode: "completion", prompt }, sampling: sampling(r, 16) };
}

export function chatToGeneration(r: ChatRequest): { input: GenerationInput; sampling: SamplingInput } {
  const messages = r.messages.map((m) => ({
    role: m.role === "developer" ? ("system" as const) : m.role,
    content: typeof m.content === "string" ? m.content : m.content.map((p) => p.text).join(""),
  }));
  const rf = r.response_format;
  const jsonSchema = rf?.type === "json_schema" ? rf.json_schema.schema : rf?.type === "json_object" ? { type: "object" } : undefined;
  return {
    input: { mode: "chat", messages, chatFormat: r.chat_format ?? "auto" },
    sampling: { ...sampling(r, 512), ...(jsonSchema ? { jsonSchema } : {}) },
  };
}
