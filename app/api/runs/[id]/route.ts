import { z } from "zod";
import { assertRunVisible } from "@/lib/access/model-access";
import { notFound } from "@/lib/http/errors";
import { parseQuery } from "@/lib/http/query";
import { withRole } from "@/lib/http/route";
import { getRun } from "@/lib/runs/get-run";

const itemsQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  // 0: counts only (`depot run` polls that way).
  limit: z.coerce.number().int().min(0).max(1000).default(100),
  status: z.string().optional(),
});

export const GET = withRole<{ id: string }>("viewer", async ({ req, params, principal }) => {
  await assertRunVisible(principal.user, params.id);
  const q = parseQuery(req, itemsQuery);
  const run = await getRun({ id: params.id, offset: q.offset, limit: q.limit, status: q.status || undefined });
  if (!run) throw notFound(`run ${params.id}`);
  return Response.json(run);
});
