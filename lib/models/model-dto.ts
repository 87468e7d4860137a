// What the API, pages and CLI see of a model: plain JSON, sizes as numbers, never Prisma rows.

import { isSupportedArchitecture } from "../gguf/architectures";
import type { StoreDto, StoreWorker } from "../stores/replicas";

export const MODEL_STATUSES = ["pending", "downloading", "ready", "verified", "corrupt", "failed"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** `downloaded`: on disk, nothing to check it against; `verified` only when a checksum matched. */
export const FILE_STATUSES = ["pending", "downloaded", "verified", "corrupt"] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export type ModelDto = {
  id: string;
  name: string;
  source: string;
  format: string;
  status: string;
  repo: string | null;
  revision: string | null;
  bytes: number;
  parameterCount: number | null;
  /** llama-2, code-llama, llama-3, llama-3.1, … (lib/models/model-family.ts): recorded, or detected when the GGUF was made. */
  family: string | null;
  /** The context length the model was trained for (GGUF `<arch>.context_length`, HF `max_position_embeddings`), where known. */
  contextLength: number | null;
  /** A GGUF's file type (Q8_0, Q4_K_M, F16…) as recorded when it was made, downloaded or uploaded. */
  quantType: string | null;
  fileCount: number;
  /** A GGUF's `general.architecture`, and whether the bundled llama.cpp can run it. */
  architecture: { name: string; supported: boolean } | null;
  checksums: { verified: number; corrupt: number; unchecked: number };
  derivedFrom: { id: string; name: string; format: string } | null;
  /** The worker stores holding a complete copy, with their workers: inference runs only there. */
  holders: { storeId: string; workers: StoreWorker[]; online: boolean; bytes: number }[];
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  /** Lists only: the unfinished job making or checking this model (a conversion's output row), for inline progress. */
  activeJob: { id: string; queue: string; status: string; progress: number } | null;
};

export type ModelFileDto = {
  path: string;
  bytes: number;
  status: string;
  md5: string | null;
  sha256: string | null;
  expectedMd5: string | null;
  expectedSha256: string | null;
  error: string | null;
  verifiedAt: string | null;
};

export type GgufTensorDto = { name: string; type: string; shape: number[]; bytes: number };

export type ModelDetailDto = ModelDto & {
  directory: string;
  files: ModelFileDto[];
  /** Hyper-parameters or conversion facts recorded when the model was registered. */
  metadata: Record<string, unknown> | null;
  /** GGUF models only: what the file's header says, read on request. */
  gguf: { fileType: string | null; bytes: number; bitsPerWeight: number; metadata: Record<string, unknown>; tensors: GgufTensorDto[] } | null;
  /** Why the GGUF file could not be read (truncated, not GGUF…), when `gguf` is null for a GGUF model. */
  ggufError: string | null;
  jobs: { id: string; queue: string; status: string; error: string | null; createdAt: string }[];
};

type FileRow = {
  path: string;
  bytes: bigint;
  status: string;
  md5: string | null;
  sha256: string | null;
  expectedMd5: string | null;
  expectedSha256: string | null;
  error: string | null;
  verifiedAt: Date | null;
};

export type ModelRow = {
  id: string;
  name: string;
  source: string;
  format: string;
  status: string;
  repo: string | null;
  revision: string | null;
  bytes: bigint;
  parameterCount: bigint | null;
  family: string | null;
  metadataJson: string | null;
  createdAt: Date;
  updatedAt: Date;
  files: Pick<FileRow, "status">[];
  replicas: { storeId: string; bytes: bigint }[];
  derivedFrom: { id: string; name: string; format: string } | null;
  createdBy: { email: string } | null;
};

type RecordedMetadata = { contextLength?: unknown; fileType?: unknown; architecture?: unknown; config?: { max_position_embeddings?: unknown } | null };

/** What was recorded with the model's files (record-model-files.ts): a conversion's, an upload's or the Hub's facts. */
function recorded(metadataJson: string | null): RecordedMetadata {
  return metadataJson ? (JSON.parse(metadataJson) as RecordedMetadata) : {};
}

/** The context length a conversion or upload recorded, or an HF checkpoint's config declares. */
function recordedContextLength(md: RecordedMetadata): number | null {
  const v = md.contextLength ?? md.config?.max_position_embeddings;
  return typeof v === "number" ? v : null;
}

function architectureOf(md: RecordedMetadata): ModelDto["architecture"] {
  return typeof md.architecture === "string" ? { name: md.architecture, supported: isSupportedArchitecture(md.architecture) } : null;
}

/** `stores`: lib/stores listStores(), to name the workers of each store holding the model. */
export function toModelDto(m: ModelRow, stores: StoreDto[]): ModelDto {
  const count = (s: FileStatus) => m.files.filter((f) => f.status === s).length;
  const md = recorded(m.metadataJson);
  return {
    id: m.id,
    name: m.name,
    source: m.source,
    format: m.format,
    status: m.status,
    repo: m.repo,
    revision: m.revision,
    bytes: Number(m.bytes),
    parameterCount: m.parameterCount === null ? null : Number(m.parameterCount),
    family: m.family,
    contextLength: recordedContextLength(md),
    quantType: m.format === "gguf" && typeof md.fileType === "string" ? md.fileType : null,
    fileCount: m.files.length,
    architecture: architectureOf(md),
    checksums: { verified: count("verified"), corrupt: count("corrupt"), unchecked: m.files.length - count("verified") - count("corrupt") },
    derivedFrom: m.derivedFrom,
    holders: m.replicas.map((r) => {
      const s = stores.find((x) => x.storeId === r.storeId);
      return { storeId: r.storeId, workers: s?.workers ?? [], online: s?.online ?? false, bytes: Number(r.bytes) };
    }),
    createdBy: m.createdBy?.email ?? null,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    activeJob: null,
  };
}

export function toModelFileDto(f: FileRow): ModelFileDto {
  return {
    path: f.path,
    bytes: Number(f.bytes),
    status: f.status,
    md5: f.md5,
    sha256: f.sha256,
    expectedMd5: f.expectedMd5,
    expectedSha256: f.expectedSha256,
    error: f.error,
    verifiedAt: f.verifiedAt?.toISOString() ?? null,
  };
}

/** The Prisma `include` every DTO query uses. */
export const MODEL_INCLUDE = {
  files: { select: { status: true } },
  replicas: { select: { storeId: true, bytes: true } },
  derivedFrom: { select: { id: true, name: true, format: true } },
  createdBy: { select: { email: true } },
} as const;
