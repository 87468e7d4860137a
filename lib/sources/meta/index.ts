export {
  familyOfHfRepo,
  findMetaModel,
  META_CATALOG,
  metaCatalogDto,
  type MetaCatalog,
  type MetaCatalogDto,
  type MetaFamily,
  type MetaModel,
} from "./catalog";
export { MetaError, type MetaErrorCode } from "./errors";
export { fileUrl } from "./file-url";
export { parseSignedUrl, type SignedUrl } from "./parse-signed-url";
export { checkLinkFamily, DEFAULT_META_FAMILY, linkFamily, metaFamily, planMeta, type MetaPlan } from "./plan-meta";
export { pullMeta, type MetaFileResult, type PullMetaParams, type PullMetaResult } from "./pull-meta";
