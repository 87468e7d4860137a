import { fileExists, HubApiError, modelInfo } from "@huggingface/hub";
import { checkHubToken } from "./check-token";
import { gatedMessage } from "./hub-error";
import { HfError } from "./errors";

/**
 * Checks, before anything is queued or stored, that the repo exists at `revision` and that `token` (if any) is one
 * the Hub accepts and that it may read the repo's files. The Hub answers a repo that does not exist with
 * `X-Error-Code: RepoNotFound` (a 401 without a token: it does not tell private from absent), a gated repo's files
 * with `GatedRepo` (401 without a token, 403 without access), a token it rejects with a plain 401 on whoami.
 */
export async function checkRepoAccess(params: {
  repo: string;
  revision: string;
  token?: string;
  hubUrl: string;
  fetch?: typeof fetch;
}): Promise<void> {
  const { repo, token } = params;
  let failed: { status: number; errorCode: string | null } | null = null;
  const hub = {
    hubUrl: params.hubUrl,
    ...(token ? { accessToken: token } : {}),
    // @huggingface/hub's HubApiError keeps no headers, and a HEAD's error has no body to parse: both read here.
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await (params.fetch ?? fetch)(input, init);
      if (!res.ok) failed = { status: res.status, errorCode: res.headers.get("x-error-code") };
      return res;
    },
  };
  const status = (err: unknown) => (err instanceof HubApiError ? err.statusCode : failed?.status);
  const errorCode = () => failed?.errorCode ?? null;
  if (token) await checkHubToken({ token, hubUrl: params.hubUrl, fetch: params.fetch });
  let info;
  try {
    info = await modelInfo({ ...hub, name: repo, revision: params.revision });
  } catch (err) {
    if (errorCode() === "RepoNotFound" || (status(err) === 404 && errorCode() !== "RevisionNotFound")) {
      throw new HfError("repo_not_found", `${repo} does not exist on the Hub (or is private to another account)`);
    }
    if (errorCode() === "RevisionNotFound") throw new HfError("revision_not_found", `${repo} has no revision ${params.revision}`);
    throw err;
  }
  if (!info.gated) return;
  // A gated repo's card is public but its files are not; the gate answers before the file is looked up.
  try {
    await fileExists({ ...hub, repo, revision: params.revision, path: "config.json" });
  } catch (err) {
    if (status(err) === 401 || status(err) === 403) throw new HfError("gated", gatedMessage(repo));
    throw err;
  }
}
