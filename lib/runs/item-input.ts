import type { ChatFormat, ChatMessage, GenerationInput } from "../generation/sampling";

/** The generation an item asks for, with the run's system prompt applied. */
export function itemInput(params: {
  mode: string;
  chatFormat: string;
  systemPrompt: string | null;
  input: { prompt: string } | { messages: ChatMessage[] };
}): GenerationInput {
  const { input, systemPrompt } = params;
  if (params.mode === "completion") {
    if (!("prompt" in input)) throw new Error("completion runs take prompts, not messages");
    return { mode: "completion", prompt: systemPrompt ? `${systemPrompt}\n\n${input.prompt}` : input.prompt };
  }
  const messages: ChatMessage[] = "messages" in input ? input.messages : [{ role: "user", content: input.prompt }];
  const withSystem = systemPrompt && messages[0]?.role !== "system" ? [{ role: "system" as const, content: systemPrompt }, ...messages] : messages;
  return { mode: "chat", messages: withSystem, chatFormat: params.chatFormat as ChatFormat };
}
