import { DownloadError, type DownloadErrorCode } from "./errors";
import { redactUrl } from "./redact-url";

/** `bytes a-b/total`, `bytes a-b/*` or `bytes *\/total`. */
export function parseContentRange(
  header: string | null,
): { start: number | null; end: number | null; total: number | null } | null {
  if (!header) return null;
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(header.trim());
  if (!m) return null;
  const num = (s: string | undefined) => (s === undefined || s === "*" ? null : Number(s));
  return { start: num(m[1]), end: num(m[2]), total: num(m[3]) };
}

/** The server's own words from an error body: S3/CloudFront XML `<Code>`/`<Message>` or a JSON `error`. */
export function serverReason(body: string): string | undefined {
  const code = /<Code>([^<]{1,200})<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]{1,500})<\/Message>/.exec(body)?.[1];
  if (code || message) return [code, message].filter(Boolean).join(": ");
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown };
    const text = json.error ?? json.message;
    if (typeof text === "string") return text.slice(0, 500);
  } catch {
    // not JSON: no structured reason
  }
  return undefined;
}

function codeForStatus(status: number): DownloadErrorCode {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404 || status === 410) return "not_found";
  return "http";
}

/** Builds the error for a non-success response; reads at most 8 KiB of its body for the reason. */
export async function httpError(res: { status: number; text(): Promise<string> }, url: string): Promise<DownloadError> {
  let body = "";
  try {
    body = (await res.text()).slice(0, 8192);
  } catch {
    // body unreadable: status alone
  }
  const reason = serverReason(body);
  return new DownloadError(
    codeForStatus(res.status),
    `HTTP ${res.status} for ${redactUrl(url)}${reason ? `: ${reason}` : ""}`,
    { status: res.status, reason },
  );
}
