/**
 * CSRF defence for cookie-authenticated mutations (OWASP "verify origin with standard headers"): the browser's
 * Origin (or, failing that, Sec-Fetch-Site) must say the request came from this site. SameSite=Lax cookies are
 * the second layer. API-key requests carry no ambient credentials and skip this check.
 */
export function isSameOrigin(headers: Headers, requestUrl: string): boolean {
  const origin = headers.get("origin");
  const host = headers.get("x-forwarded-host") ?? headers.get("host") ?? new URL(requestUrl).host;
  if (origin) {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  const site = headers.get("sec-fetch-site");
  return site === "same-origin";
}
