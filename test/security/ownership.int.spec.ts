import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as credentialOne from "../../app/api/credentials/[id]/route";
import * as credentials from "../../app/api/credentials/route";
import * as hfDownload from "../../app/api/downloads/hf/route";
import * as jobCancel from "../../app/api/jobs/[id]/cancel/route";
import * as jobRetry from "../../app/api/jobs/[id]/retry/route";
import * as jobOne from "../../app/api/jobs/[id]/route";
import * as jobs from "../../app/api/jobs/route";
import * as runCancel from "../../app/api/runs/[id]/cancel/route";
import * as runRetry from "../../app/api/runs/[id]/retry/route";
import * as runOne from "../../app/api/runs/[id]/route";
import { createGroup } from "../../lib/access/groups";
import { listCredentials, storeCredential } from "../../lib/credentials/store-credential";
import { closeDb, db } from "../../lib/db/prisma";
import type { JobDto } from "../../lib/jobs/job-dto";
import { closeWebRedis } from "../../lib/redis/connection";
import { closeQueues } from "../../lib/queue/queues";
import { setupTestEnv } from "../helpers/test-env";
import { startHfHub, type HfHub } from "../servers/hf-hub";
import { call, userWithKey, type Caller } from "./call-route";

// Findings 5 and 10 (issue #19): a job's or run's owner and admins act on it, other members and viewers only
// read it; a saved credential is listed to and usable by its owner, the groups an admin shared it with, and admins.
let admin: Caller, owner: Caller, other: Caller, viewer: Caller;
let hub: HfHub;

beforeAll(async () => {
  await setupTestEnv();
  // Hub downloads check the repo and token with the Hub before queueing: a stand-in answers for this file's.
  const dir = path.resolve(import.meta.dirname, "../fixtures/tiny-llama/hf");
  hub = await startHfHub({ repos: [{ name: "org/owner-model", dir }, { name: "org/other-model", dir }], tokens: { hf_secretvalue123: { user: "owner", access: [] } } });
  process.env.HF_ENDPOINT = hub.url;
  admin = await userWithKey("admin@example.com", "admin");
  owner = await userWithKey("owner@example.com", "member");
  other = await userWithKey("other@example.com", "member");
  viewer = await userWithKey("viewer@example.com", "viewer");
});

afterAll(async () => {
  await hub?.stop();
  await closeQueues();
  closeWebRedis();
  await closeDb();
});

type H = Parameters<typeof call>[0];
const status = async (h: H, who: Caller, method: string, id: string) => (await call(h, who, method, { id })).status;

describe("ownership of jobs", () => {
  it("only the owner or an admin cancels, retries or removes a job; others still read it", async () => {
    // No worker runs in this file: the job stays waiting.
    const { id } = (await (await call(jobs.POST as H, owner, "POST", {}, { seconds: 60 })).json()) as { id: string };
    expect(await status(jobOne.GET as H, other, "GET", id)).toBe(200);
    expect(await status(jobCancel.POST as H, other, "POST", id)).toBe(403);
    expect(await status(jobCancel.POST as H, viewer, "POST", id)).toBe(403);
    expect(await status(jobCancel.POST as H, owner, "POST", id)).toBe(200);
    const row = ((await (await call(jobOne.GET as H, admin, "GET", { id })).json()) as { job: JobDto }).job;
    expect(row.status).toBe("cancelled");
    expect(await status(jobRetry.POST as H, other, "POST", id)).toBe(403);
    expect(await status(jobRetry.POST as H, owner, "POST", id)).toBe(200);
    expect(await status(jobCancel.POST as H, admin, "POST", id)).toBe(200);
    expect(await status(jobRetry.POST as H, admin, "POST", id)).toBe(200);
    expect(await status(jobCancel.POST as H, admin, "POST", id)).toBe(200);
    expect(await status(jobOne.DELETE as H, admin, "DELETE", id)).toBe(200);
  });
});

describe("ownership of runs", () => {
  async function makeRun() {
    const run = await db().run.create({ data: { name: "private batch", modelName: "gone", mode: "completion", paramsJson: "{}", total: 0, status: "running", createdById: owner.id } });
    return run.id;
  }

  it("another member or a viewer may read a run but not cancel or retry it", async () => {
    const id = await makeRun();
    expect(await status(runOne.GET as H, other, "GET", id)).toBe(200);
    expect(await status(runCancel.POST as H, other, "POST", id)).toBe(403);
    expect(await status(runCancel.POST as H, viewer, "POST", id)).toBe(403);
    expect(await status(runRetry.POST as H, other, "POST", id)).toBe(403);
    expect((await db().run.findUniqueOrThrow({ where: { id } })).status).toBe("running");
  });

  it("the owner and an admin cancel a run", async () => {
    const mine = await makeRun();
    expect(await status(runCancel.POST as H, owner, "POST", mine)).toBe(200);
    const theirs = await makeRun();
    expect(await status(runCancel.POST as H, admin, "POST", theirs)).toBe(200);
    expect((await db().run.findUniqueOrThrow({ where: { id: theirs } })).status).toBe("cancelled");
  });
});

describe("ownership of saved credentials", () => {
  const download = (who: Caller, repo: string, credentialId: string) => call(hfDownload.POST as H, who, "POST", {}, { repo, credentialId });
  const labels = async (who: Caller) => (await listCredentials({ id: who.id, role: (await db().user.findUniqueOrThrow({ where: { id: who.id } })).role as "member" })).map((c) => c.label);

  it("a member's token is listed to and usable by them and admins only, until an admin shares it with a group", async () => {
    const { id } = await storeCredential({ kind: "hf_token", label: "owner's token", value: "hf_secretvalue123", ownerId: owner.id });
    expect(await labels(owner)).toContain("owner's token");
    expect(await labels(other)).not.toContain("owner's token");
    const adminList = (await (await call(credentials.GET as H, admin, "GET")).json()) as { credentials: { label: string }[] };
    expect(adminList.credentials.map((c) => c.label)).toContain("owner's token");

    expect((await download(other, "org/other-model", id)).status).toBe(404);
    expect(await db().job.count({ where: { userId: other.id, queue: "download" } })).toBe(0);
    expect((await download(owner, "org/owner-model", id)).status).toBe(201);

    // Only an admin shares it; then the group's members see and use it.
    const group = await createGroup({ name: "research", memberIds: [other.id] });
    expect((await call(credentialOne.PUT as H, owner, "PUT", { id }, { groupIds: [group.id] })).status).toBe(403);
    expect((await call(credentialOne.PUT as H, admin, "PUT", { id }, { groupIds: [group.id] })).status).toBe(200);
    expect(await labels(other)).toContain("owner's token");
    expect(await labels(viewer)).not.toContain("owner's token");
    expect((await download(other, "org/other-model", id)).status).toBe(201);
  });
});
