import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as credentialTest from "../../app/api/credentials/[id]/test/route";
import * as credentials from "../../app/api/credentials/route";
import { storeCredential } from "../../lib/credentials/store-credential";
import { errorReply } from "../../lib/http/errors";
import { checkHubToken } from "../../lib/sources/hf";
import { closeDb, db } from "../../lib/db/prisma";
import { closeWebRedis } from "../../lib/redis/connection";
import { setupTestEnv } from "../helpers/test-env";
import { startHfHub, type HfHub } from "../servers/hf-hub";
import { call, userWithKey, type Caller } from "./call-route";

// Hugging Face tokens are asked of the Hub before they are saved (a rejected one never is) and on "test this token".

const TOKEN = "hf_aliceSecretToken123456";
let hub: HfHub;
let admin: Caller;

beforeAll(async () => {
  await setupTestEnv();
  hub = await startHfHub({ repos: [], tokens: { [TOKEN]: { user: "alice", access: [] } } });
  process.env.HF_ENDPOINT = hub.url;
  admin = await userWithKey("admin@example.com", "admin");
});

afterAll(async () => {
  await hub?.stop();
  closeWebRedis();
  await closeDb();
});

type H = Parameters<typeof call>[0];
const save = (value: string) => call(credentials.POST as H, admin, "POST", {}, { kind: "hf_token", label: "my token", value });

describe("Hugging Face token credentials", () => {
  it("saves a token the Hub accepts and refuses one it rejects, which is not stored", async () => {
    expect((await save(TOKEN)).status).toBe(201);
    const refused = await save("hf_revokedToken0000000000");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "token_rejected", message: "the Hub rejected this token" } });
    expect(await db().credential.count()).toBe(1);
  });

  it("says the Hub cannot be reached instead of failing with a 500", async () => {
    // The route saves only after this check passes; the discard port answers nothing.
    const err = await checkHubToken({ token: TOKEN, hubUrl: "http://127.0.0.1:9" }).catch((e: unknown) => e);
    expect(errorReply(err)).toMatchObject({ status: 502, code: "hub_unreachable", message: expect.stringContaining("cannot reach the Hub at http://127.0.0.1:9 to check this token") });
    expect(JSON.stringify(errorReply(err))).not.toContain(TOKEN);
  });

  it("tests a saved token: whose it is, or that the Hub now rejects it", async () => {
    const good = await db().credential.findFirstOrThrow();
    expect(await (await call(credentialTest.POST as H, admin, "POST", { id: good.id })).json()).toEqual({ ok: true, account: "alice", role: "read" });
    // Revoked on the Hub after it was saved.
    const { id } = await storeCredential({ kind: "hf_token", label: "old", value: "hf_revokedLater000000000", ownerId: admin.id });
    const res = await call(credentialTest.POST as H, admin, "POST", { id });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, reason: "the Hub rejected this token" });
  });
});
