import { z } from "zod";

/**
 * Sampling parameters shared by batch runs, the playground, the OpenAI-compatible API and the CLI.
 * temperature 0 is greedy (argmax), which makes outputs reproducible token for token.
 */
export const samplingParams = z.object({
  temperature: z.number().min(0).max(2).default(0.7),
  topP: z.number().gt(0).max(1).default(1),
  topK: z.number().int().min(0).max(1000).default(40),
  /** 1 disables it. */
  repeatPenalty: z.number().min(1).max(2).default(1),
  maxTokens: z.number().int().min(1).max(32_768).default(256),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  stop: z.array(z.string().min(1).max(100)).max(8).default([]),
  /** A JSON schema the output must follow (node-llama-cpp grammar), for structured extraction. */
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
});
export type SamplingParams = z.infer<typeof samplingParams>;
export type SamplingInput = z.input<typeof samplingParams>;

export const chatMessage = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string().max(200_000),
});
export type ChatMessage = z.infer<typeof chatMessage>;

/**
 * `auto` (the default, "Model's template"): the GGUF's own `tokenizer.chat_template`, rendered as transformers renders it
 * (Llama 3, 3.1, …; lib/inference/chat-template.ts). A model without one, or with Llama 2's, gets what node-llama-cpp
 * resolves from its name and architecture, and Llama 2 Meta's encoding below.
 * `llama2`: Meta's Llama 2 chat format (`[INST] <<SYS>>`), token for token as Meta's chat_completion.
 */
export const CHAT_FORMATS = ["auto", "llama2"] as const;
export type ChatFormat = (typeof CHAT_FORMATS)[number];

/** What one generation asks for: a raw completion or a chat conversation. */
export const generationInput = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("completion"), prompt: z.string().max(200_000) }),
  z.object({
    mode: z.literal("chat"),
    messages: z.array(chatMessage).min(1).max(500),
    chatFormat: z.enum(CHAT_FORMATS).default("auto"),
  }),
]);
export type GenerationInput = z.infer<typeof generationInput>;
