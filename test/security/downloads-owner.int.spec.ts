import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { errorReply } from "../../lib/http/errors";
import { listDownloads } from "../../lib/models/list-downloads";
import { listModels } from "../../lib/models/list-models";
import { replaceMetaUrl } from "../../lib/models/replace-meta-url";
import { startHfDownload } from "../../lib/models/start-hf-download";
import { startMetaDownload } from "../../lib/models/start-meta-download";
import { closeQueues } from "../../lib/queue/queues";
import { createUser } from "../../lib/users/create-user";
import { setupTestEnv } from "../helpers/test-env";
import { startHfHub, type HfHub } from "../servers/hf-hub";

// Finding 3 (Meta download takeover) and the `../..` Hub repo from finding 14, on the library the routes call,
// with a real database and Redis (no worker: the jobs stay queued).

type U = { id: string; role: "admin" | "member" | "viewer" };
let admin: U, owner: U, other: U, outsider: U;
let hub: HfHub;

/** A CloudFront-style signed link as Meta mails it (never fetched here). */
function link(): string {
  const policy = JSON.stringify({ Statement: [{ Condition: { DateLessThan: { "AWS:EpochTime": Math.floor(Date.now() / 1000) + 3600 } } }] });
  const cf = Buffer.from(policy).toString("base64").replace(/\+/g, "-").replace(/=/g, "_").replace(/\//g, "~");
  return `https://download.llamameta.net/*?Policy=${cf}&Signature=sig&Key-Pair-Id=KEY`;
}
const status = (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => errorReply(e)?.status);

beforeAll(async () => {
  await setupTestEnv();
  // Hub downloads check the repo with the Hub before queueing: a stand-in answers for the one this file starts.
  hub = await startHfHub({ repos: [{ name: "tiny/never-arrives", dir: path.resolve(import.meta.dirname, "../fixtures/tiny-llama/hf") }] });
  process.env.HF_ENDPOINT = hub.url;
  const mk = async (email: string, role: U["role"]) => {
    const u = await createUser({ email, name: email, password: "correct-horse-battery", role });
    return { id: u.id, role };
  };
  admin = await mk("admin@example.com", "admin");
  owner = await mk("owner@example.com", "member");
  other = await mk("other@example.com", "member");
  outsider = await mk("outsider@example.com", "member");
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await closeQueues();
  await closeDb();
});

describe("Meta download relink", () => {
  let jobId: string;

  it("gives the job an unguessable id, and the same set resumes the same job", async () => {
    const r = await startMetaDownload({ url: link(), models: ["13B"], user: owner });
    jobId = r.jobId;
    expect(jobId).toMatch(/^download-meta-13b--[A-Za-z0-9]{16}$/);
    const again = await startMetaDownload({ url: link(), models: ["13B"], user: owner });
    expect(again).toMatchObject({ jobId, resumed: true });
  });

  it("lets only the owner or an admin relink; a member who cannot see the model gets 404", async () => {
    const group = await db().group.create({ data: { name: "meta-team", members: { create: [{ userId: owner.id }, { userId: other.id }] } } });
    const { modelIds } = JSON.parse((await db().job.findUniqueOrThrow({ where: { id: jobId } })).payloadSummary) as { modelIds: string[] };
    await db().modelShare.create({ data: { modelId: modelIds[0]!, groupId: group.id } });

    expect(await status(replaceMetaUrl({ jobId, url: link(), user: outsider }))).toBe(404);
    expect(await status(replaceMetaUrl({ jobId, url: link(), user: other }))).toBe(403);
    // Submitting the same set again is a relink too, so it is the owner's alone as well.
    expect(await status(startMetaDownload({ url: link(), models: ["13B"], user: other }))).toBe(403);
    expect(await status(replaceMetaUrl({ jobId, url: link(), user: owner }))).toBe(200);
    expect(await status(replaceMetaUrl({ jobId, url: link(), user: admin }))).toBe(200);
  });
});

describe("Hub repo ids", () => {
  it.each(["../..", "org/..", "./x", "org/-x", "org/x.", "a--b/c", "org/na..me", "org/name/extra"])("refuses %s with 400 before any row exists", async (repo) => {
    expect(await status(startHfDownload({ repo, userId: owner.id }))).toBe(400);
    expect(await db().model.count({ where: { source: "hf" } })).toBe(0);
  });
});

describe("a download that failed before any file was complete", () => {
  it("is on the Downloads page, not in the inventory as a 0 B model", async () => {
    const { jobId, modelId } = await startHfDownload({ repo: "tiny/never-arrives", userId: owner.id });
    // What the worker leaves when the first file fails: the model failed, no files recorded.
    await db().model.update({ where: { id: modelId }, data: { status: "failed" } });
    await db().job.update({ where: { id: jobId }, data: { status: "failed", error: "HTTP 404" } });
    expect((await listModels({ user: owner })).map((m) => m.id)).not.toContain(modelId);
    expect((await listDownloads({ user: owner })).map((d) => d.id)).toContain(jobId);
  });
});
