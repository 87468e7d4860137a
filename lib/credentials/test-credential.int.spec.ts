import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as testRoute } from "../../app/api/credentials/[id]/test/route";
import { call, userWithKey, type Caller } from "../../test/security/call-route";
import { setupTestEnv } from "../../test/helpers/test-env";
import { startHfHub, type HfHub } from "../../test/servers/hf-hub";
import { closeDb, db } from "../db/prisma";
import { storeCredential } from "./store-credential";

const GOOD = "hf_good_token_for_the_fake_hub";
const REVOKED = "hf_revoked_token_the_hub_refuses";

let hub: HfHub;
let admin: Caller;
let member: Caller;

beforeAll(async () => {
  await setupTestEnv();
  hub = await startHfHub({ repos: [], tokens: { [GOOD]: { user: "ada-hf", access: [] } } });
  process.env.HF_ENDPOINT = hub.url;
  admin = await userWithKey("admin@example.com", "admin");
  member = await userWithKey("member@example.com", "member");
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await closeDb();
});

/** Calls the route as `who`, capturing everything the process writes meanwhile (logs). */
async function testToken(who: Caller, id: string): Promise<{ status: number; body: unknown; written: string }> {
  let written = "";
  const writes = [process.stdout, process.stderr].map((s) => {
    const original = s.write.bind(s);
    s.write = ((chunk: string | Uint8Array, ...rest: never[]) => ((written += String(chunk)), original(chunk, ...rest))) as typeof s.write;
    return () => (s.write = original);
  });
  try {
    const res = await call(testRoute as Parameters<typeof call>[0], who, "POST", { id });
    return { status: res.status, body: await res.json(), written };
  } finally {
    writes.forEach((restore) => restore());
  }
}

describe("POST /api/credentials/[id]/test", () => {
  it("asks the Hub's whoami-v2 with the stored token and names the account, without ever writing the token", async () => {
    const { id } = await storeCredential({ kind: "hf_token", label: "good", value: GOOD, ownerId: admin.id });
    const r = await testToken(admin, id);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, account: "ada-hf", role: "read" });
    const asked = hub.stats.hub.filter((h) => h.path === "/api/whoami-v2");
    expect(asked.at(-1)).toMatchObject({ authorization: true, status: 200 });
    expect(r.written).not.toContain(GOOD);
    expect(JSON.stringify(await db().auditEvent.findMany())).not.toContain(GOOD);
  });

  it("reports a token the Hub refuses as not working (an answer, not a failure)", async () => {
    const { id } = await storeCredential({ kind: "hf_token", label: "revoked", value: REVOKED, ownerId: admin.id });
    const r = await testToken(admin, id);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: false, reason: "the Hub rejected this token" });
    expect(hub.stats.hub.at(-1)).toMatchObject({ path: "/api/whoami-v2", status: 401 });
    expect(r.written).not.toContain(REVOKED);
  });

  it("is for admins only, and 404s for a credential that does not exist", async () => {
    const { id } = await storeCredential({ kind: "hf_token", label: "again", value: GOOD, ownerId: admin.id });
    const before = hub.stats.hub.length;
    expect((await testToken(member, id)).status).toBe(403);
    expect(hub.stats.hub.length).toBe(before);
    expect((await testToken(admin, "no-such-credential")).status).toBe(404);
  });
});
