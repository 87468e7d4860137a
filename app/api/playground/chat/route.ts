import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { chatTurn } from "@/lib/playground/chat-turn";
import { CHAT_FORMATS } from "@/lib/generation/sampling";
import { sseResponse } from "@/lib/http/sse";

const body = z.object({
  conversationId: z.string().optional(),
  model: z.string().min(1),
  systemPrompt: z.string().max(20_000).optional(),
  chatFormat: z.enum(CHAT_FORMATS).default("auto"),
  params: z.record(z.string(), z.unknown()).default({}),
  message: z.string().min(1).max(100_000).optional(),
  mode: z.enum(["send", "regenerate", "edit"]).default("send"),
});

/** One playground turn (chat-turn.ts), answered as server-sent events: conversation, text pieces, then done, stopped or error. */
export const POST = withRole("member", async ({ req, principal, ip }) => {
  const b = body.parse(await readJson(req));
  const events = await chatTurn({ principal, ...b, sampling: b.params, signal: req.signal });
  await recordAudit({ actor: principal, action: "playground.chat", target: b.conversationId ?? "new", detail: { model: b.model }, ip });
  return sseResponse(events);
});
