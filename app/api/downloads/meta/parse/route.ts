import { z } from "zod";
import { readJson, withRole } from "@/lib/http/route";
import { parseSignedUrl } from "@/lib/sources/meta";

/** Reads a pasted link's expiry before anything is submitted (the form's live countdown). Nothing is stored. */
export const POST = withRole("member", async ({ req }) => {
  const { url } = z.object({ url: z.string().trim().min(1).max(8192) }).parse(await readJson(req));
  const link = parseSignedUrl(url);
  return Response.json({ expiresAt: link.expiresAt.toISOString(), display: link.display, expired: link.expiresAt.getTime() <= Date.now() });
});
