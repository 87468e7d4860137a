import { HubApiError } from "@huggingface/hub";
import { DownloadError } from "../../download";

/** The gated-repo message users act on: where to ask for access. */
export function gatedMessage(repo: string): string {
  return `this token's account has no access: request it at https://huggingface.co/${repo}`;
}

/** Maps a hub failure (a Response or @huggingface/hub's HubApiError) to a DownloadError; never quotes a token. */
export async function hubError(source: unknown, repo: string): Promise<DownloadError> {
  let status: number | undefined;
  let reason: string | undefined;
  if (source instanceof Response) {
    status = source.status;
    const body = await source.text().catch(() => "");
    try {
      reason = (JSON.parse(body) as { error?: string }).error;
    } catch {
      reason = undefined;
    }
  } else if (source instanceof HubApiError) {
    status = source.statusCode;
    reason = (source.data as { error?: string } | undefined)?.error;
  } else if (source instanceof DownloadError) {
    return source;
  } else if (source instanceof TypeError && /access token/i.test(source.message)) {
    status = 401; // @huggingface/hub refuses tokens not starting with hf_
  } else {
    const message = source instanceof Error ? source.message : String(source);
    return new DownloadError("network", `cannot reach the hub for ${repo}: ${message}`, { cause: source });
  }
  if (status === 401) return new DownloadError("unauthorized", "token missing or invalid", { status, reason });
  if (status === 403) return new DownloadError("forbidden", gatedMessage(repo), { status, reason });
  if (status === 404) {
    return new DownloadError("not_found", `${repo}: ${reason ?? "repository, revision or file not found"}`, { status, reason });
  }
  return new DownloadError("http", `hub error ${status} for ${repo}${reason ? `: ${reason}` : ""}`, { status, reason });
}
