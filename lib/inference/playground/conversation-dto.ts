export type ConversationSummaryDto = { id: string; title: string; modelId: string | null; updatedAt: string };
export type MessageDto = { id: string; role: "user" | "assistant"; content: string; tokensOut: number | null; durationMs: number | null; createdAt: string };
export type ConversationDto = ConversationSummaryDto & {
  systemPrompt: string | null;
  chatFormat: string;
  params: Record<string, unknown> | null;
  messages: MessageDto[];
};
