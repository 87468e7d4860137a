/**
 * The form of a URL that may appear in messages and logs: origin and path only. Signed URLs carry their
 * credential in the query string (CloudFront Policy/Signature, S3 X-Amz-*), and userinfo is dropped too.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? "?<redacted>" : ""}`;
  } catch {
    return "<invalid url>";
  }
}
