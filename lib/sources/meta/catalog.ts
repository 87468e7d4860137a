/**
 * What Meta's download host serves, as data: adding a family (Code Llama, Llama 3) means adding an entry here.
 * Paths are relative to the signed URL's `*`; every one still goes through safeJoin before touching disk.
 */
export interface MetaModel {
  /** What users type: `7B`, `13B-chat`. */
  id: string;
  /** Folder on the host and on disk. */
  folder: string;
  /** Files inside the folder; verified by `checklist` (md5sum format, in the same folder). */
  files: string[];
  checklist: string;
}

export interface MetaFamily {
  /** Files at the top of the download, shared by all models of the family. */
  shared: string[];
  /** Which shared file is covered by which checklist (also shared). */
  sharedChecklists: Record<string, string[]>;
  models: MetaModel[];
}

export type MetaCatalog = Record<string, MetaFamily>;

const shards = (n: number) => Array.from({ length: n }, (_, i) => `consolidated.${String(i).padStart(2, "0")}.pth`);

function llama2(size: string, nShards: number, chat: boolean): MetaModel {
  const folder = `llama-2-${size.toLowerCase()}${chat ? "-chat" : ""}`;
  return { id: `${size}${chat ? "-chat" : ""}`, folder, files: [...shards(nShards), "params.json"], checklist: "checklist.chk" };
}

export const META_CATALOG: MetaCatalog = {
  "llama-2": {
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
};
