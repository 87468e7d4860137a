import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHfHub, type HfHub } from "../../../test/servers/hf-hub";
import { checkRepoAccess } from "./check-repo-access";

const FIX = path.resolve(import.meta.dirname, "../../../test/fixtures/tiny-llama");
const TOKEN = "hf_aliceSecretToken123456";
const PUBLIC = "test-org/tiny-llama";
const GATED = "meta-llama/Tiny-Llama-2-7b-hf";

let hub: HfHub;
beforeAll(async () => {
  hub = await startHfHub({
    repos: [
      { name: PUBLIC, dir: path.join(FIX, "hf") },
      { name: GATED, dir: path.join(FIX, "hf"), gated: "manual" },
    ],
    tokens: { [TOKEN]: { user: "alice", access: [GATED] }, hf_bobNoAccess: { user: "bob", access: [] } },
  });
});
afterAll(async () => hub.stop());

const check = (repo: string, token?: string, revision = "main") =>
  checkRepoAccess({ repo, revision, token, hubUrl: hub.url }).then(() => "ok", (e: { code?: string; message: string }) => ({ code: e.code, message: e.message }));

describe("checkRepoAccess", () => {
  it("passes a public repo with or without a token, and a gated one with a token that has access", async () => {
    expect(await check(PUBLIC)).toBe("ok");
    expect(await check(PUBLIC, TOKEN)).toBe("ok");
    expect(await check(GATED, TOKEN)).toBe("ok");
  });

  it("refuses a repo that does not exist, anonymous (the Hub's 401) or signed in (404)", async () => {
    const notFound = { code: "repo_not_found", message: "nobody/nothing does not exist on the Hub (or is private to another account)" };
    expect(await check("nobody/nothing")).toEqual(notFound);
    expect(await check("nobody/nothing", TOKEN)).toEqual(notFound);
    expect(hub.stats.hub.filter((r) => r.path.startsWith("/api/models/nobody/nothing")).map((r) => r.status)).toEqual([401, 404]);
    expect(await check(PUBLIC, undefined, "no-such-branch")).toMatchObject({ code: "revision_not_found" });
  });

  it("tells a gated repo without (access with) a token from a token the Hub rejects", async () => {
    const gated = { code: "gated", message: `this repository is gated: request access at https://huggingface.co/${GATED}` };
    expect(await check(GATED)).toEqual(gated);
    expect(await check(GATED, "hf_bobNoAccess")).toEqual(gated);
    const rejected = { code: "token_rejected", message: "the Hub rejected this token" };
    expect(await check(GATED, "hf_revokedToken000")).toEqual(rejected);
    expect(await check(PUBLIC, "not-even-a-token")).toEqual(rejected);
  });
});
