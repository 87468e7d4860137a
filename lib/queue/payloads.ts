import { z } from "zod";
import { FILE_TYPES } from "../convert/quants/tensor-types";
import { generationInput, samplingParams } from "../generation/sampling";
import type { QueueName } from "./names";

// One zod schema per job kind; the producer validates before enqueueing and the worker re-parses before acting.
// Payloads carry ids, never secrets: a credential is referenced by id and decrypted inside the worker.

/** A GGUF quant tag as in `repo:Q4_K_M`. */
export const QUANT_TAG = /^[A-Za-z0-9_]{1,16}$/;

export const echoPayload = z.object({
  kind: z.literal("echo"),
  seconds: z.number().min(0).max(3600),
  message: z.string().max(200).default("hello"),
});

export const downloadPayload = z.discriminatedUnion("source", [
  z.object({
    kind: z.literal("download"),
    source: z.literal("meta"),
    /** A META_CATALOG key; jobs from before Llama 3 carry none. */
    family: z.string().min(1).default("llama-2"),
    credentialId: z.string().min(1),
    models: z.array(z.string().min(1)).min(1),
    modelIds: z.array(z.string().min(1)).min(1),
  }),
  z.object({
    kind: z.literal("download"),
    source: z.literal("hf"),
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "expected org/name"),
    revision: z.string().min(1).default("main"),
    include: z.array(z.string()).default([]),
    exclude: z.array(z.string()).default([]),
    /** A GGUF quant tag: pull that GGUF (see selectQuant) and register it as a runnable gguf model. */
    quant: z.string().regex(QUANT_TAG).optional(),
    credentialId: z.string().min(1).optional(),
    modelIds: z.array(z.string().min(1)).length(1),
  }),
]);

/** A worker model store a user aims a job at (`<DATA_DIR>/store-id`); empty or missing: let the app choose. */
export const storeIdField = z
  .string()
  .trim()
  .regex(/^[a-z0-9]{6,32}$/, "expected a worker store id")
  .optional()
  .or(z.literal("").transform(() => undefined));

export const verifyPayload = z.object({ kind: z.literal("verify"), modelId: z.string().min(1) });

/** A checkpoint converts to any of them, a GGUF model quantizes to any but f32 (lib/convert QUANTIZE_TYPES). */
export const convertTypes = FILE_TYPES;
export const convertPayload = z.object({
  kind: z.literal("convert"),
  modelId: z.string().min(1),
  type: z.enum(convertTypes),
  outModelId: z.string().min(1),
});

/** One batch item (its prompt lives in the RunItem row), or one interactive request (playground, API) streamed back by id. */
export const inferencePayload = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("run-item"), runItemId: z.string().min(1) }),
  z.object({
    kind: z.literal("generate"),
    requestId: z.string().min(1),
    modelId: z.string().min(1),
    input: generationInput,
    sampling: samplingParams,
  }),
]);

export const PAYLOADS = {
  maintenance: z.discriminatedUnion("kind", [
    echoPayload,
    z.object({ kind: z.literal("gc"), dryRun: z.boolean().default(false) }),
    /** A deleted model's files in one worker's store (the row is already gone). */
    z.object({
      kind: z.literal("delete-files"),
      model: z.object({
        id: z.string().min(1),
        name: z.string().min(1),
        source: z.string().min(1),
        directory: z.string().min(1),
        /** A Hub GGUF's own files in a snapshot other GGUFs of the repo may share. */
        files: z.array(z.string().min(1)).optional(),
      }),
    }),
  ]),
  download: downloadPayload,
  verify: verifyPayload,
  convert: convertPayload,
  inference: inferencePayload,
} satisfies Record<QueueName, z.ZodType>;

export type EchoPayload = z.infer<typeof echoPayload>;
export type DownloadPayload = z.infer<typeof downloadPayload>;
export type VerifyPayload = z.infer<typeof verifyPayload>;
export type ConvertPayload = z.infer<typeof convertPayload>;
export type InferencePayload = z.infer<typeof inferencePayload>;
export type PayloadOf<Q extends QueueName> = z.infer<(typeof PAYLOADS)[Q]>;

/** What every processor reports through job.updateProgress; mirrored into Job.progress/progressJson. */
export const jobProgress = z.object({
  pct: z.number().min(0).max(100),
  message: z.string().optional(),
  bytesDone: z.number().optional(),
  bytesTotal: z.number().optional(),
  speedBps: z.number().optional(),
  etaSeconds: z.number().nullable().optional(),
  files: z
    .array(
      z.object({
        path: z.string(),
        bytesDone: z.number(),
        bytesTotal: z.number(),
        speedBps: z.number().optional(),
        etaSeconds: z.number().nullable().optional(),
      }),
    )
    .optional(),
});
export type JobProgress = z.infer<typeof jobProgress>;
