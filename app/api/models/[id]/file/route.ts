import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { z } from "zod";
import { assertModelVisible } from "@/lib/access/model-access";
import { recordAudit } from "@/lib/audit/record-audit";
import { notFound } from "@/lib/http/errors";
import { parseQuery } from "@/lib/http/query";
import { withRole } from "@/lib/http/route";
import { ggufFileToServe } from "@/lib/models/gguf-file";

/** Streams a GGUF model's file (`?path=` one of a split set) from this server's store to whoever may see the model. */
export const GET = withRole<{ id: string }>("viewer", async ({ req, params, principal, ip }) => {
  const { path } = parseQuery(req, z.object({ path: z.string().min(1).optional() }));
  await assertModelVisible(principal, { id: params.id }, ip);
  const f = await ggufFileToServe({ id: params.id, user: principal.user, path });
  if (!f) throw notFound(`a GGUF file of model ${params.id} on this server`);
  await recordAudit({ actor: principal, action: "model.download_file", target: params.id, detail: { file: f.fileName, bytes: f.bytes }, ip });
  const ascii = f.fileName.replace(/[^\w.+-]/g, "_");
  return new Response(Readable.toWeb(createReadStream(f.file)) as ReadableStream, {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(f.bytes),
      "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(f.fileName)}`,
    },
  });
});
