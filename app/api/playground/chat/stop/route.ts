import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { stopTurn } from "@/lib/playground/stop-turn";

const body = z.object({ jobId: z.string().min(1) });

/** Stops a streaming playground reply; the turn's stream then ends with "stopped" and keeps what had arrived. */
export const POST = withRole("member", async ({ req, principal, ip }) => {
  const { jobId } = body.parse(await readJson(req));
  await stopTurn({ jobId, user: principal.user });
  await recordAudit({ actor: principal, action: "playground.stop", target: jobId, ip });
  return Response.json({ ok: true });
});
