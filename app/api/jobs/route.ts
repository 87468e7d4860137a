import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { withRole, readJson } from "@/lib/http/route";
import { listJobs } from "@/lib/jobs/list-jobs";
import { enqueue } from "@/lib/queue/enqueue";
import { echoPayload } from "@/lib/queue/payloads";

export const GET = withRole("viewer", async ({ req, principal }) => {
  const q = new URL(req.url).searchParams;
  const jobs = await listJobs({
    user: principal.user,
    queue: q.get("queue") || undefined,
    status: q.get("status") || undefined,
    limit: Number(q.get("limit") || 100),
  });
  return Response.json({ jobs });
});

/** Enqueues the trivial `echo` job (a smoke test of the whole pipeline); other kinds have their own routes. */
export const POST = withRole("member", async ({ req, principal, ip }) => {
  const data = echoPayload.omit({ kind: true }).extend({ seconds: z.number().min(0).max(3600).default(5) }).parse(await readJson(req));
  const job = await enqueue({ queue: "maintenance", data: { kind: "echo", ...data }, userId: principal.user.id });
  await recordAudit({ actor: principal, action: "job.enqueue", target: job.id, detail: { kind: "echo" }, ip });
  return Response.json({ id: job.id }, { status: 201 });
});
