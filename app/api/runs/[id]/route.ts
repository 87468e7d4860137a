import { assertRunVisible } from "@/lib/access/model-access";
import { notFound } from "@/lib/http/errors";
import { withRole } from "@/lib/http/route";
import { getRun } from "@/lib/runs/get-run";

export const GET = withRole<{ id: string }>("viewer", async ({ req, params, principal }) => {
  await assertRunVisible(principal.user, params.id);
  const q = new URL(req.url).searchParams;
  const run = await getRun({ id: params.id, offset: Number(q.get("offset") || 0), limit: Number(q.get("limit") || 100), status: q.get("status") || undefined });
  if (!run) throw notFound(`run ${params.id}`);
  return Response.json(run);
});
