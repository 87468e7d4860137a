import { recordAudit } from "@/lib/audit/record-audit";
import { HttpError } from "@/lib/http/errors";
import { UPLOAD_CHUNK_LIMIT, withRole } from "@/lib/http/route";
import { UploadError } from "@/lib/uploads/errors";
import { appendChunk, getUpload, removeUpload, uploadDto } from "@/lib/uploads/upload-store";

/** How many bytes the server has: where a resumed upload continues. */
export const GET = withRole<{ id: string }>("member", async ({ params, principal }) => {
  return Response.json({ upload: await uploadDto(await getUpload(params.id, principal.user)) });
});

const RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;

/**
 * One chunk: `Content-Range: bytes <start>-<last>/<size>`, starting exactly at the bytes the server has. A chunk at
 * another offset (overlapping, out of order) or sent while another is written gets 409 with the current `offset`.
 */
export const PUT = withRole<{ id: string }>("member", async ({ req, params, principal }) => {
  const m = await getUpload(params.id, principal.user);
  const range = RANGE.exec(req.headers.get("content-range") ?? "");
  if (!range) throw new HttpError(400, "bad_range", "send Content-Range: bytes <start>-<last>/<size> with each chunk");
  const [start, last, total] = range.slice(1).map(Number) as [number, number, number];
  if (total !== m.size) throw new HttpError(400, "bad_range", `Content-Range says the file has ${total} bytes; the upload was started with ${m.size}`);
  if (last < start) throw new HttpError(400, "bad_range", "Content-Range ends before it starts");
  if (last + 1 - start > UPLOAD_CHUNK_LIMIT) throw new HttpError(413, "too_large", `a chunk may carry at most ${UPLOAD_CHUNK_LIMIT} bytes`);
  if (!req.body) throw new HttpError(400, "no_body", "the chunk has no body");
  const offset = await appendChunk(m, start, last + 1, req.body);
  return Response.json({ offset, complete: offset === m.size });
});

/** Cancels the upload and deletes what was received. */
export const DELETE = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  const m = await getUpload(params.id, principal.user);
  if (m.folderId) throw new UploadError("in_folder", `${m.fileName} is part of folder upload ${m.folderId}: cancel the folder`);
  await removeUpload(m.id);
  await recordAudit({ actor: principal, action: "upload.cancel", target: m.id, detail: { fileName: m.fileName }, ip });
  return Response.json({ cancelled: m.id });
});
