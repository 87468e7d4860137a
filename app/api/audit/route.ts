import { z } from "zod";
import { auditCsv, listAudit } from "@/lib/audit/list-audit";
import { withRole } from "@/lib/http/route";

const query = z.object({
  action: z.string().optional(),
  actor: z.string().optional(),
  since: z.coerce.date().optional(),
  until: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  format: z.enum(["json", "csv"]).default("json"),
});

export const GET = withRole("admin", async ({ req }) => {
  const q = query.parse(Object.fromEntries(new URL(req.url).searchParams));
  const events = await listAudit(q);
  if (q.format === "csv") {
    return new Response(auditCsv(events), {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="audit.csv"' },
    });
  }
  return Response.json({ events });
});
