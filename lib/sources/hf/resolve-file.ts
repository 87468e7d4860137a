import { checkEgress } from "../../download/egress";
import { DownloadError, redactUrl } from "../../download";
import { hubError } from "./hub-error";

/**
 * Follows `/resolve/` by hand (`redirect: "manual"`) so the token goes only to the hub origin: same-origin hops
 * keep it, the LFS CDN (another origin) gets a plain request. Returns where to download from and with which headers.
 */
export async function resolveFile(params: {
  hubUrl: string;
  repo: string;
  commit: string;
  path: string;
  token?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}): Promise<{ url: string; headers: Record<string, string> }> {
  const hubOrigin = new URL(params.hubUrl).origin;
  const auth: Record<string, string> = params.token ? { Authorization: `Bearer ${params.token}` } : {};
  const encoded = params.path.split("/").map(encodeURIComponent).join("/");
  let url = `${params.hubUrl.replace(/\/$/, "")}/${params.repo}/resolve/${params.commit}/${encoded}`;
  for (let hop = 0; hop < 5; hop++) {
    await checkEgress(url, ["hf"]); // the Hub's probe may not leave the policy either (its CDN hop is checked by the transport)
    let res;
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(30_000), ...(params.signal ? [params.signal] : [])]);
      res = await (params.fetch ?? fetch)(url, { method: "HEAD", headers: auth, redirect: "manual", signal });
    } catch (err) {
      if (params.signal?.aborted) throw new DownloadError("aborted", "download aborted; downloaded bytes are kept", { cause: err });
      throw await hubError(err, params.repo);
    }
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get("location");
      if (!location) throw new DownloadError("http", `redirect without Location from ${redactUrl(url)}`, { status: res.status });
      url = new URL(location, url).toString();
      // Another origin (the LFS CDN): hand it over untouched, without the token and without probing it.
      if (new URL(url).origin !== hubOrigin) return { url, headers: {} };
      continue;
    }
    if (!res.ok) throw await hubError(res, params.repo);
    return { url, headers: auth };
  }
  throw new DownloadError("http", `too many redirects resolving ${params.path}`);
}
