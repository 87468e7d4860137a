import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { db } from "@/lib/db/prisma";
import { readJson, withRole } from "@/lib/http/route";
import { createUpload, uploadDto } from "@/lib/uploads/upload-store";

const body = z.object({
  fileName: z.string().min(1).max(255),
  size: z.number().int().positive(),
  /** The model name; default: the file name without .gguf. */
  name: z.string().optional(),
  /** The client's own sha256 of the file, if it has one: completion refuses different bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

/** Members start an upload of a GGUF into this server's model store; chunks follow with PUT /api/uploads/<id>. */
export const POST = withRole("member", async ({ req, principal, ip }) => {
  const b = body.parse(await readJson(req));
  const m = await createUpload({ ...b, ownerId: principal.user.id, nameTaken: async (name) => (await db().model.count({ where: { name } })) > 0 });
  await recordAudit({ actor: principal, action: "upload.create", target: m.id, detail: { fileName: m.fileName, name: m.name, size: m.size }, ip });
  return Response.json({ upload: await uploadDto(m) }, { status: 201 });
});
