import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { importGguf, listImportable } from "@/lib/models/import-gguf";

const body = z.object({ path: z.string().min(1).max(4096), name: z.string().trim().max(200).optional() });

/** GGUFs in IMPORT_DIRS: admins only (they show paths on the server's disk). */
export const GET = withRole("admin", async () => Response.json({ files: await listImportable() }));

export const POST = withRole("admin", async ({ req, principal, ip }) => {
  const input = body.parse(await readJson(req));
  const r = await importGguf({ ...input, userId: principal.user.id });
  await recordAudit({ actor: principal, action: "model.import", target: r.id, detail: { path: input.path, name: r.name, how: r.how, architecture: r.facts.architecture }, ip });
  return Response.json({ id: r.id, name: r.name, how: r.how }, { status: 201 });
});
