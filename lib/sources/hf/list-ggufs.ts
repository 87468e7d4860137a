import { listFiles, modelInfo } from "@huggingface/hub";
import { ggufUnits } from "./gguf-files";
import { hubError } from "./hub-error";

export type HubGguf = { stem: string; quant: string | null; files: { path: string; bytes: number }[]; bytes: number; complete: boolean };

type ListParams = { repo: string; revision?: string; token?: string; hubUrl: string; fetch?: typeof fetch };

/** Every file of a Hub repo at a revision (its tree listing) and the commit the revision resolved to. */
export async function listRepoFiles(params: ListParams): Promise<{ commit: string; files: { path: string; size: number }[] }> {
  const hub = { hubUrl: params.hubUrl, fetch: params.fetch, ...(params.token ? { accessToken: params.token } : {}) };
  try {
    const info = await modelInfo({ ...hub, name: params.repo, revision: params.revision ?? "main", additionalFields: ["sha"] });
    const commit = String(info.sha);
    const files: { path: string; size: number }[] = [];
    for await (const e of listFiles({ ...hub, repo: params.repo, revision: commit, recursive: true })) {
      if (e.type === "file") files.push({ path: e.path, size: e.size });
    }
    return { commit, files };
  } catch (err) {
    throw await hubError(err, params.repo);
  }
}

/** The GGUFs of a Hub repo at a revision, from its tree listing (split sets grouped), for picking one to pull. */
export async function listGgufs(params: ListParams): Promise<{ commit: string; ggufs: HubGguf[] }> {
  const { commit, files } = await listRepoFiles(params);
  const ggufs = ggufUnits(files).map((u) => ({ ...u, files: u.files.map((f) => ({ path: f.path, bytes: f.size })) }));
  return { commit, ggufs };
}
