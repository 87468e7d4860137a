/**
 * What Meta's download hosts serve, as data: adding a family means adding an entry here.
 * Paths are relative to the signed URL's `*`; every one still goes through safeJoin before touching disk.
 */
export interface MetaModel {
  /** What users type: `7B`, `13B-chat` (Llama 2); Meta's own model ids for Llama 3.x: `Llama3.1-8B-Instruct`. */
  id: string;
  /** Folder on the host and on disk. */
  folder: string;
  /** Files inside the folder; verified by `checklist` (md5sum format, in the same folder). */
  files: string[];
  checklist: string;
  /** Shards (`consolidated.NN.pth`) in `files`. */
  shards: number;
  /** Whole download of the model (weights dominate), for the time estimate before submitting; 0 when unknown. */
  approxBytes: number;
}

export interface MetaFamily {
  /** Display name: `Llama 3.1`. */
  name: string;
  /**
   * Hosts Meta signs links for this family on. A link on a host of another family is refused before any request;
   * a host no family names (a new one, a mirror, the test CDN) is let through and the host's own 403 decides.
   */
  hosts: RegExp[];
  /** Files at the top of the download, shared by all models of the family. */
  shared: string[];
  /** Which shared file is covered by which checklist (also shared). */
  sharedChecklists: Record<string, string[]>;
  models: MetaModel[];
}

export type MetaCatalog = Record<string, MetaFamily>;

const shards = (n: number) => Array.from({ length: n }, (_, i) => `consolidated.${String(i).padStart(2, "0")}.pth`);

// Published sizes of the Llama 2 downloads (weights + params).
const LLAMA2_BYTES: Record<string, number> = { "7B": 13.5e9, "13B": 26e9, "70B": 138e9 };

function llama2(size: string, nShards: number, chat: boolean): MetaModel {
  const folder = `llama-2-${size.toLowerCase()}${chat ? "-chat" : ""}`;
  const id = `${size}${chat ? "-chat" : ""}`;
  return { id, folder, files: [...shards(nShards), "params.json"], checklist: "checklist.chk", shards: nShards, approxBytes: LLAMA2_BYTES[size] ?? 0 };
}

/**
 * A Llama 3.x model as Meta's own CLI (`llama model download --source meta`) fetches it, from
 * meta-llama/llama-stack `llama_stack/models/llama/sku_list.py` `llama_meta_net_info()`: the folder is the
 * Hugging Face repo's name (`meta-llama/Llama-3.1-8B-Instruct` → `Llama-3.1-8B-Instruct`, except the 405B
 * folders named there), the files are `checklist.chk`, `tokenizer.model`, `params.json`, `fp8_scales_NN.pt` for
 * FP8 checkpoints, then `consolidated.NN.pth` × pth_file_count; `llama_stack/cli/download.py` `_meta_download()`
 * puts `<folder>/<file>` in place of the link's `*`. The folder's one `checklist.chk` holds the md5 of each of them.
 * `id` is the model's `descriptor()` there (core model id, `:variant` when it has one).
 */
function llama3(id: string, folder: string, nShards: number, approxBytes: number, opts: { fp8?: boolean } = {}): MetaModel {
  const fp8 = opts.fp8 ? Array.from({ length: nShards }, (_, i) => `fp8_scales_${i}.pt`) : [];
  return { id, folder, files: ["tokenizer.model", "params.json", ...fp8, ...shards(nShards)], checklist: "checklist.chk", shards: nShards, approxBytes };
}

// bf16 weights are 2 bytes a parameter (8.03B, 70.6B, 1.24B, 3.21B); the 405B shard sizes are sku_list.py's
// llama_meta_pth_size() (101470976045 bf16-mp8, 51268302389 mp16, 60903742309 fp8), times the shard count.
const GB = 1e9;
const B405_MP8 = 8 * 101_470_976_045;
const B405_MP16 = 16 * 51_268_302_389;
const B405_FP8 = 8 * 60_903_742_309;

export const META_CATALOG: MetaCatalog = {
  "llama-2": {
    name: "Llama 2",
    hosts: [/^download\d*\.llamameta\.net$/],
    shared: ["LICENSE", "USE_POLICY.md", "tokenizer.model"],
    sharedChecklists: { "tokenizer_checklist.chk": ["tokenizer.model"] },
    models: [
      llama2("7B", 1, false),
      llama2("13B", 2, false),
      llama2("70B", 8, false),
      llama2("7B", 1, true),
      llama2("13B", 2, true),
      llama2("70B", 8, true),
    ],
  },
  // Hosts as in the links Meta hands out per family (llama3-1, llama3-2-lightweight, llama3-3 .llamameta.net).
  "llama-3.1": {
    name: "Llama 3.1",
    hosts: [/^llama3-1\.llamameta\.net$/],
    shared: [],
    sharedChecklists: {},
    models: [
      llama3("Llama3.1-8B", "Llama-3.1-8B", 1, 16.1 * GB),
      llama3("Llama3.1-8B-Instruct", "Llama-3.1-8B-Instruct", 1, 16.1 * GB),
      llama3("Llama3.1-70B", "Llama-3.1-70B", 8, 141 * GB),
      llama3("Llama3.1-70B-Instruct", "Llama-3.1-70B-Instruct", 8, 141 * GB),
      llama3("Llama3.1-405B:bf16-mp8", "Llama-3.1-405B-MP8", 8, B405_MP8),
      llama3("Llama3.1-405B", "Llama-3.1-405B", 8, B405_FP8, { fp8: true }),
      llama3("Llama3.1-405B:bf16-mp16", "Llama-3.1-405B-MP16", 16, B405_MP16),
      llama3("Llama3.1-405B-Instruct:bf16-mp8", "Llama-3.1-405B-Instruct-MP8", 8, B405_MP8),
      llama3("Llama3.1-405B-Instruct", "Llama-3.1-405B-Instruct", 8, B405_FP8, { fp8: true }),
      llama3("Llama3.1-405B-Instruct:bf16-mp16", "Llama-3.1-405B-Instruct-MP16", 16, B405_MP16),
    ],
  },
  // The lightweight (text) models; the vision ones come from another host and are not offered.
  "llama-3.2": {
    name: "Llama 3.2",
    hosts: [/^llama3-2-lightweight\.llamameta\.net$/],
    shared: [],
    sharedChecklists: {},
    models: [
      llama3("Llama3.2-1B", "Llama-3.2-1B", 1, 2.5 * GB),
      llama3("Llama3.2-1B-Instruct", "Llama-3.2-1B-Instruct", 1, 2.5 * GB),
      llama3("Llama3.2-3B", "Llama-3.2-3B", 1, 6.4 * GB),
      llama3("Llama3.2-3B-Instruct", "Llama-3.2-3B-Instruct", 1, 6.4 * GB),
    ],
  },
  "llama-3.3": {
    name: "Llama 3.3",
    hosts: [/^llama3-3\.llamameta\.net$/],
    shared: [],
    sharedChecklists: {},
    models: [llama3("Llama3.3-70B-Instruct", "Llama-3.3-70B-Instruct", 8, 141 * GB)],
  },
};

/** What the Downloads form and `GET /api/downloads/meta` offer: families, then their models. */
export function metaCatalogDto(catalog: MetaCatalog = META_CATALOG) {
  return Object.entries(catalog).map(([id, f]) => ({
    id,
    name: f.name,
    models: f.models.map((m) => ({ id: m.id, folder: m.folder, shards: m.shards, approxBytes: m.approxBytes })),
  }));
}

export type MetaCatalogDto = ReturnType<typeof metaCatalogDto>;

/** The catalog model a user's id names: its id, or its folder (the Hugging Face repo name), any case. */
export function findMetaModel(family: MetaFamily, id: string): MetaModel | undefined {
  const want = id.trim().toLowerCase();
  return family.models.find((m) => m.id.toLowerCase() === want || m.folder.toLowerCase() === want);
}

/** The family whose models live in the Hugging Face repo `meta-llama/<folder>` (`-hf` for Llama 2's), if any. */
export function familyOfHfRepo(repo: string, catalog: MetaCatalog = META_CATALOG): string | undefined {
  const [org, name] = repo.toLowerCase().split("/");
  if (org !== "meta-llama" || !name) return undefined;
  const folder = name.replace(/-hf$/, "");
  return Object.entries(catalog).find(([, f]) => f.models.some((m) => m.folder.toLowerCase() === folder))?.[0];
}
