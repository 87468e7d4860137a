export { META_CATALOG, type MetaCatalog, type MetaFamily, type MetaModel } from "./catalog";
export { MetaError, type MetaErrorCode } from "./errors";
export { fileUrl } from "./file-url";
export { parseSignedUrl, type SignedUrl } from "./parse-signed-url";
export { planMeta, type MetaPlan } from "./plan-meta";
export { pullMeta, type MetaFileResult, type PullMetaParams, type PullMetaResult } from "./pull-meta";
