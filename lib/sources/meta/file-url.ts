/** A file's URL: the signed URL with its `*` replaced by the (segment-encoded) path. */
export function fileUrl(signedUrl: string, path: string): string {
  const star = signedUrl.indexOf("*");
  if (star < 0) throw new Error("signed URL has no `*`");
  return `${signedUrl.slice(0, star)}${path.split("/").map(encodeURIComponent).join("/")}${signedUrl.slice(star + 1)}`;
}
