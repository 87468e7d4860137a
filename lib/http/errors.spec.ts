import { z } from "zod";
import { describe, expect, it } from "vitest";
import { DownloadError } from "../download/errors";
import { CancelledError, DepotError } from "../errors";
import { InferenceError } from "../inference/errors";
import { QueueFullError } from "../interactive/errors";
import { JobError } from "../jobs/errors";
import { ImportError, ModelError } from "../models/errors";
import { RunError } from "../runs/errors";
import { OffsetError, UploadError } from "../uploads/errors";
import { errorReply, HttpError, isRetryable } from "./errors";

describe("the error table (lib/http/errors.ts)", () => {
  it("gives each class's code its own status, 400 by default", () => {
    expect(errorReply(new JobError("not_found", "job x not found"))?.status).toBe(404);
    expect(errorReply(new JobError("not_owner", "no"))?.status).toBe(403);
    expect(errorReply(new JobError("bad_queue", "no"))?.status).toBe(400);
    // The same code means another thing in another module.
    expect(errorReply(new UploadError("invalid_gguf", "bad"))?.status).toBe(422);
    expect(errorReply(new ModelError("invalid_gguf", "bad"))?.status).toBe(400);
    expect(errorReply(new ImportError("not_found", "/x does not exist"))?.status).toBe(400);
    expect(errorReply(new DepotError("whatever", "plain"))?.status).toBe(400);
    expect(errorReply(new HttpError(418, "teapot", "short and stout"))).toEqual({ status: 418, code: "teapot", message: "short and stout" });
  });

  it("answers /v1 as OpenAI clients expect and the app's API as before", () => {
    const err = new InferenceError("model_not_found", "model m not found");
    expect(errorReply(err, "openai")?.status).toBe(404);
    expect(errorReply(err)?.status).toBe(400);
    expect(errorReply(new InferenceError("failed", "boom"), "openai")?.status).toBe(500);
  });

  it("carries a full queue's Retry-After, an upload's offset and a run's bad rows", () => {
    expect(errorReply(new QueueFullError(2))).toMatchObject({ status: 429, code: "queue_full", headers: { "retry-after": "2" } });
    expect(errorReply(new OffsetError("offset_mismatch", "send from 8", 8))).toMatchObject({ status: 409, extra: { offset: 8 } });
    const rows = [{ row: 2, message: "no prompt" }];
    expect(errorReply(new RunError("invalid_rows", "bad rows", rows))).toMatchObject({ status: 400, detail: { rows } });
    expect(errorReply(new RunError("empty", "nothing"))?.detail).toBeUndefined();
  });

  it("reads zod errors as invalid input and leaves unknown errors to the caller (500)", () => {
    const zod = z.object({ a: z.string() }).safeParse({}).error!;
    expect(errorReply(zod)).toMatchObject({ status: 400, code: "invalid_input", message: expect.stringMatching(/^a: /) });
    expect(errorReply(new Error("boom"))).toBeNull();
    expect(errorReply("boom")).toBeNull();
  });

  it("makes the worker retry only what can succeed next time", () => {
    expect(isRetryable(new Error("ECONNRESET"))).toBe(true);
    expect(isRetryable(new JobError("finished", "done"))).toBe(false);
    expect(isRetryable(new CancelledError())).toBe(false);
    expect(isRetryable(new DepotError("flaky", "try again", true))).toBe(true);
    expect(isRetryable(new DownloadError("http", "HTTP 503", { status: 503 }))).toBe(true);
    expect(isRetryable(new DownloadError("http", "HTTP 404", { status: 404 }))).toBe(false);
    expect(isRetryable(z.object({ a: z.string() }).safeParse({}).error)).toBe(false);
  });
});
