export { createDigester, type Digester } from "./digester";
export { downloadEach, type PullTransferOptions } from "./download-each";
export { downloadFile, type DownloadFileParams, type DownloadResult } from "./download-file";
export { DownloadError, type DownloadErrorCode, type DownloadErrorOptions } from "./errors";
export { redactUrl } from "./redact-url";
export { safeJoin } from "./safe-join";
export { formatBytes, type StatfsFn } from "./disk-space";
export type { DownloadProgress } from "./progress";
export type { RemoteReply } from "./transport";
