import { assertRunVisible } from "@/lib/access/model-access";
import { z } from "zod";
import { withRole } from "@/lib/http/route";
import { EXPORT_FORMATS, exportRun } from "@/lib/runs/export-run";

export const GET = withRole<{ id: string }>("viewer", async ({ req, params, principal }) => {
  await assertRunVisible(principal.user, params.id);
  const format = z.enum(EXPORT_FORMATS).parse(new URL(req.url).searchParams.get("format") ?? "jsonl");
  const file = await exportRun({ id: params.id, format });
  return new Response(file.body, {
    headers: { "content-type": file.contentType, "content-disposition": `attachment; filename="${file.filename}"` },
  });
});
