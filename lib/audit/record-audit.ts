import { db } from "../db/prisma";
import type { Principal } from "../auth/authenticate";

/** Every mutation calls this once it succeeded: who (user or API key), what, on which target. */
export async function recordAudit(params: {
  actor: Principal | null;
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
  ip?: string;
}): Promise<void> {
  const a = params.actor;
  await db().auditEvent.create({
    data: {
      actorId: a?.user.id ?? null,
      actorLabel: a ? (a.via === "api-key" ? `${a.user.email} (api key ${a.apiKeyPrefix})` : a.user.email) : "anonymous",
      action: params.action,
      target: params.target,
      detail: params.detail ? JSON.stringify(params.detail) : undefined,
      ip: params.ip,
    },
  });
}
