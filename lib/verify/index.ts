export { VerifyError, type VerifyErrorCode } from "./errors";
export { hashFile } from "./hash-file";
export { parseChecklist, type ChecklistEntry } from "./parse-checklist";
export { verifyBlob, type BlobDigests, type VerifyBlobResult } from "./verify-blob";
export { verifyChecklist, type ChecklistFileResult } from "./verify-checklist";
