import { z } from "zod";
import { readJson, withRole } from "@/lib/http/route";
import { linkFamily, parseSignedUrl } from "@/lib/sources/meta";

/**
 * Reads a pasted link's expiry (the form's live countdown) and the family its host serves (the form switches to
 * it) before anything is submitted. Nothing is stored.
 */
export const POST = withRole("member", async ({ req }) => {
  const { url } = z.object({ url: z.string().trim().min(1).max(8192) }).parse(await readJson(req));
  const link = parseSignedUrl(url);
  return Response.json({
    expiresAt: link.expiresAt.toISOString(),
    display: link.display,
    expired: link.expiresAt.getTime() <= Date.now(),
    family: linkFamily(link.url) ?? null,
  });
});
