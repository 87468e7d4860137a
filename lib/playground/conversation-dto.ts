export type ConversationSummaryDto = { id: string; title: string; modelId: string | null; updatedAt: string };
export type MessageDto = {
  id: string;
  role: "user" | "assistant";
  content: string;
  tokensIn: number | null;
  tokensOut: number | null;
  ttftMs: number | null;
  durationMs: number | null;
  /** The user stopped this reply while it streamed. */
  stopped: boolean;
  createdAt: string;
};
export type ConversationDto = ConversationSummaryDto & {
  systemPrompt: string | null;
  chatFormat: string;
  params: Record<string, unknown> | null;
  messages: MessageDto[];
};
