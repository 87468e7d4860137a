import { safeJoin } from "../../download";
import { findMetaModel, META_CATALOG, type MetaCatalog, type MetaFamily, type MetaModel } from "./catalog";
import { MetaError } from "./errors";

export interface MetaPlan {
  /** Checklists first: small, they fail fast on a bad link and give the md5s for everything else. */
  checklists: Array<{ path: string; covers: string[] }>;
  files: string[];
  /** The chosen catalog models, once each, in catalog order. */
  models: MetaModel[];
}

export const DEFAULT_META_FAMILY = "llama-2";

/** A family of the catalog, or an error listing the known ones. */
export function metaFamily(familyId: string = DEFAULT_META_FAMILY, catalog: MetaCatalog = META_CATALOG): MetaFamily {
  const family = catalog[familyId.trim().toLowerCase()];
  if (!family) throw new MetaError("unknown_model", `unknown model family ${familyId}; known: ${Object.keys(catalog).join(", ")}`);
  return family;
}

/** The family whose host the link is on (`llama3-1.llamameta.net` → `llama-3.1`); undefined for other hosts. */
export function linkFamily(url: string, catalog: MetaCatalog = META_CATALOG): string | undefined {
  const host = new URL(url).hostname.toLowerCase();
  return Object.entries(catalog).find(([, f]) => f.hosts.some((h) => h.test(host)))?.[0];
}

/**
 * Meta signs each family's links for its own host: a link whose host belongs to another family would only fetch
 * 403s or another model's files, so it is refused up front, naming the family it is for.
 */
export function checkLinkFamily(url: string, familyId: string = DEFAULT_META_FAMILY, catalog: MetaCatalog = META_CATALOG): void {
  const family = metaFamily(familyId, catalog);
  const otherId = linkFamily(url, catalog);
  const other = otherId === undefined ? undefined : catalog[otherId];
  if (other && other !== family) {
    const host = new URL(url).hostname.toLowerCase();
    throw new MetaError("wrong_family", `this link (${host}) is for ${other.name}, not ${family.name}: choose ${other.name}, or paste the link Meta sent for ${family.name}`);
  }
}

/** The files to fetch for `models` of `family`; rejects unknown ids and unsafe catalog paths up front. */
export function planMeta(params: { models: string[]; family?: string; catalog?: MetaCatalog }): MetaPlan {
  const family = metaFamily(params.family, params.catalog);
  if (params.models.length === 0) throw new MetaError("unknown_model", "choose at least one model");
  const chosen = new Set<MetaModel>();
  for (const id of params.models) {
    const model = findMetaModel(family, id);
    if (!model) throw new MetaError("unknown_model", `unknown model ${id}; known: ${family.models.map((m) => m.id).join(", ")}`);
    chosen.add(model);
  }
  const models = family.models.filter((m) => chosen.has(m));
  const checklists = Object.entries(family.sharedChecklists).map(([path, covers]) => ({ path, covers }));
  const files = [...family.shared];
  for (const model of models) {
    const inFolder = (f: string) => `${model.folder}/${f}`;
    checklists.push({ path: inFolder(model.checklist), covers: model.files.map(inFolder) });
    files.push(...model.files.map(inFolder));
  }
  // Validates every name against a dummy root: a catalog entry must never be able to escape the target folder.
  for (const p of [...checklists.map((c) => c.path), ...files]) safeJoin("/", p);
  return { checklists, files, models };
}
