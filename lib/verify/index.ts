export { VerifyError, type VerifyErrorCode } from "./errors";
export { parseChecklist, type ChecklistEntry } from "./parse-checklist";
export { verifyBlob, type BlobDigests, type VerifyBlobResult } from "./verify-blob";
export { verifyChecklist, type ChecklistFileResult } from "./verify-checklist";
