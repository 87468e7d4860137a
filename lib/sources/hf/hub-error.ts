import { HubApiError } from "@huggingface/hub";
import { DownloadError, type RemoteReply } from "../../download";

/** The gated-repo message users act on: where to ask for access. */
export function gatedMessage(repo: string): string {
  return `this repository is gated: request access at https://huggingface.co/${repo}`;
}

/** A token the Hub answers with 401 (revoked, mistyped, not a token at all). */
export const TOKEN_REJECTED = "the Hub rejected this token";

type HubReply = Pick<RemoteReply, "status" | "headers" | "text">;
const isReply = (x: unknown): x is HubReply => typeof x === "object" && x !== null && "status" in x && "headers" in x && "text" in x;

/** Maps a hub failure (a fetch reply or @huggingface/hub's HubApiError) to a DownloadError; never quotes a token. */
export async function hubError(source: unknown, repo: string): Promise<DownloadError> {
  let status: number | undefined;
  let reason: string | undefined;
  let errorCode: string | null = null;
  if (source instanceof DownloadError) {
    return source;
  } else if (isReply(source)) {
    status = source.status;
    errorCode = source.headers.get("x-error-code");
    const body = await source.text().catch(() => "");
    try {
      reason = (JSON.parse(body) as { error?: string }).error;
    } catch {
      reason = undefined;
    }
  } else if (source instanceof HubApiError) {
    status = source.statusCode;
    reason = (source.data as { error?: string } | undefined)?.error;
  } else if (source instanceof TypeError && /access token/i.test(source.message)) {
    status = 401; // @huggingface/hub refuses tokens not starting with hf_
  } else {
    const message = source instanceof Error ? source.message : String(source);
    return new DownloadError("network", `cannot reach the hub for ${repo}: ${message}`, { cause: source });
  }
  if (errorCode === "GatedRepo") return new DownloadError(status === 401 ? "unauthorized" : "forbidden", gatedMessage(repo), { status, reason });
  // A 401 with no code is the Hub refusing the token itself (on any endpoint).
  if (status === 401 && isReply(source) && !errorCode) return new DownloadError("unauthorized", TOKEN_REJECTED, { status, reason });
  // The Hub answers 401 for a repo it does not show this caller (absent or private); gated ones fail on their files.
  if (status === 401) return new DownloadError("unauthorized", `${repo}: repository not found, or private to another account`, { status, reason });
  if (status === 403) return new DownloadError("forbidden", gatedMessage(repo), { status, reason });
  if (status === 404) {
    return new DownloadError("not_found", `${repo}: ${reason ?? "repository, revision or file not found"}`, { status, reason });
  }
  return new DownloadError("http", `hub error ${status} for ${repo}${reason ? `: ${reason}` : ""}`, { status, reason });
}
