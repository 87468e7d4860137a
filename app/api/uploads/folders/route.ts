import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { db } from "@/lib/db/prisma";
import { readJson, withRole } from "@/lib/http/route";
import { createFolderUpload, folderDto } from "@/lib/uploads/folder-upload";

const body = z.object({
  /** The model name (the page proposes the folder's name). */
  name: z.string().min(1).max(128),
  files: z
    .array(
      z.object({
        fileName: z.string().min(1).max(255),
        size: z.number().int().positive(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      }),
    )
    .min(1),
});

/**
 * Members start an upload of a checkpoint folder: one upload per file, each sent with PUT /api/uploads/<file id>,
 * then POST /api/uploads/folders/<id>/complete.
 */
export const POST = withRole("member", async ({ req, principal, ip }) => {
  const b = body.parse(await readJson(req));
  const f = await createFolderUpload({ ...b, ownerId: principal.user.id, nameTaken: async (name) => (await db().model.count({ where: { name } })) > 0 });
  const dto = await folderDto(f);
  await recordAudit({ actor: principal, action: "upload.create", target: f.id, detail: { name: f.name, form: f.form, files: f.files.map((x) => x.fileName), size: dto.size }, ip });
  return Response.json({ folder: dto }, { status: 201 });
});
