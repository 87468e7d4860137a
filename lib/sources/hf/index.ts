export { linkSnapshot, repoCacheDir, writeRef } from "./cache-layout";
export { HfError, type HfErrorCode } from "./errors";
export { checkRepoAccess } from "./check-repo-access";
export { gatedMessage, hubError, TOKEN_REJECTED } from "./hub-error";
export { pullHf, type HfFileResult, type PullHfParams, type PullHfResult } from "./pull-hf";
export { resolveFile } from "./resolve-file";
export { DEFAULT_SIDE_FILES, selectFiles } from "./select-files";
export { completeSplitSets, ggufUnits, quantOf, selectQuant, splitPart, type GgufUnit } from "./gguf-files";
export { listGgufs, type HubGguf } from "./list-ggufs";
