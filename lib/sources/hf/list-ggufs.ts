import { listFiles, modelInfo } from "@huggingface/hub";
import { ggufUnits } from "./gguf-files";
import { hubError } from "./hub-error";

export type HubGguf = { stem: string; quant: string | null; files: { path: string; bytes: number }[]; bytes: number; complete: boolean };

/** The GGUFs of a Hub repo at a revision, from its tree listing (split sets grouped), for picking one to pull. */
export async function listGgufs(params: { repo: string; revision?: string; token?: string; hubUrl: string; fetch?: typeof fetch }): Promise<{ commit: string; ggufs: HubGguf[] }> {
  const hub = { hubUrl: params.hubUrl, fetch: params.fetch, ...(params.token ? { accessToken: params.token } : {}) };
  try {
    const info = await modelInfo({ ...hub, name: params.repo, revision: params.revision ?? "main", additionalFields: ["sha"] });
    const commit = String(info.sha);
    const files: { path: string; size: number }[] = [];
    for await (const e of listFiles({ ...hub, repo: params.repo, revision: commit, recursive: true })) {
      if (e.type === "file" && /\.gguf$/i.test(e.path)) files.push({ path: e.path, size: e.size });
    }
    const ggufs = ggufUnits(files).map((u) => ({ ...u, files: u.files.map((f) => ({ path: f.path, bytes: f.size })) }));
    return { commit, ggufs };
  } catch (err) {
    throw await hubError(err, params.repo);
  }
}
