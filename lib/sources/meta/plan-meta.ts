import { safeJoin } from "../../download";
import { META_CATALOG, type MetaCatalog } from "./catalog";
import { MetaError } from "./errors";

export interface MetaPlan {
  /** Checklists first: small, they fail fast on a bad link and give the md5s for everything else. */
  checklists: Array<{ path: string; covers: string[] }>;
  files: string[];
}

/** The files to fetch for `models` of `family`; rejects unknown ids and unsafe catalog paths up front. */
export function planMeta(params: { models: string[]; family?: string; catalog?: MetaCatalog }): MetaPlan {
  const catalog = params.catalog ?? META_CATALOG;
  const familyId = params.family ?? "llama-2";
  const family = catalog[familyId];
  if (!family) throw new MetaError("unknown_model", `unknown model family ${familyId}`);
  if (params.models.length === 0) throw new MetaError("unknown_model", "choose at least one model");
  const checklists = Object.entries(family.sharedChecklists).map(([path, covers]) => ({ path, covers }));
  const files = [...family.shared];
  for (const id of new Set(params.models)) {
    const model = family.models.find((m) => m.id.toLowerCase() === id.trim().toLowerCase());
    if (!model) {
      throw new MetaError("unknown_model", `unknown model ${id}; known: ${family.models.map((m) => m.id).join(", ")}`);
    }
    const inFolder = (f: string) => `${model.folder}/${f}`;
    checklists.push({ path: inFolder(model.checklist), covers: model.files.map(inFolder) });
    files.push(...model.files.map(inFolder));
  }
  // Validates every name against a dummy root: a catalog entry must never be able to escape the target folder.
  for (const p of [...checklists.map((c) => c.path), ...files]) safeJoin("/", p);
  return { checklists, files };
}
