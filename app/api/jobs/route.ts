import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { parseQuery } from "@/lib/http/query";
import { withRole, readJson } from "@/lib/http/route";
import { listJobs } from "@/lib/jobs/list-jobs";
import { enqueue } from "@/lib/queue/enqueue";
import { echoPayload } from "@/lib/queue/payloads";

const listQuery = z.object({ queue: z.string().optional(), status: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });

export const GET = withRole("viewer", async ({ req, principal }) => {
  const q = parseQuery(req, listQuery);
  const jobs = await listJobs({ user: principal.user, queue: q.queue || undefined, status: q.status || undefined, limit: q.limit });
  return Response.json({ jobs });
});

/** Enqueues the trivial `echo` job (a smoke test of the whole pipeline); other kinds have their own routes. */
export const POST = withRole("member", async ({ req, principal, ip }) => {
  const data = echoPayload.omit({ kind: true }).extend({ seconds: z.number().min(0).max(3600).default(5) }).parse(await readJson(req));
  const job = await enqueue({ queue: "maintenance", data: { kind: "echo", ...data }, userId: principal.user.id });
  await recordAudit({ actor: principal, action: "job.enqueue", target: job.id, detail: { kind: "echo" }, ip });
  return Response.json({ id: job.id }, { status: 201 });
});
