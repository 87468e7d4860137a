import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret } from "../../lib/crypto/secret-box";
import { closeDb, db } from "../../lib/db/prisma";
import { signIn, type TestClient } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv, type TestEnv } from "../helpers/test-env";
import { startHfHub, type HfHub } from "../servers/hf-hub";

const TOKEN = "hf_SuperSecretToken1234567890abcdef";
const SIGNED_URL =
  "https://download.llamameta.net/*?Policy=eyJTdGF0ZW1lbnQiOlt7fV19&Signature=abcDEFsecretSIG~~&Key-Pair-Id=K3XYZ";

let env: TestEnv;
let app: AppHandle;
let admin: TestClient;
let hub: HfHub;

beforeAll(async () => {
  env = await setupTestEnv();
  // A Hugging Face token is checked with the Hub before it is saved: the stand-in knows this one.
  hub = await startHfHub({ repos: [], tokens: { [TOKEN]: { user: "team", access: [] } } });
  app = await startApp(env, { workers: 1, extraEnv: { HF_ENDPOINT: hub.url } });
  admin = await signIn(app.baseUrl, "admin@example.com", "admin");
});

afterAll(async () => {
  await app?.stop();
  await hub?.stop();
  await closeDb();
});

describe("secrets at rest", () => {
  it("stores credentials encrypted: the raw row holds no plaintext, only the key can open it", async () => {
    const { id } = await admin.json<{ id: string }>("POST", "/api/credentials", { kind: "hf_token", label: "team token", value: TOKEN });
    await admin.json("POST", "/api/credentials", { kind: "meta_signed_url", label: "meta", value: SIGNED_URL });

    const rows = await db().$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "Credential"`);
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain("SuperSecret");
    expect(raw).not.toContain("abcDEFsecretSIG");
    const row = await db().credential.findUniqueOrThrow({ where: { id } });
    expect(decryptSecret(row.encryptedValue)).toBe(TOKEN);
    expect(row.hint).toBe("hf_…cdef");
  });

  it("never returns, logs or audits the secret", async () => {
    const { credentials } = await admin.json<{ credentials: { hint: string }[] }>("GET", "/api/credentials");
    const listed = JSON.stringify(credentials);
    expect(listed).not.toContain(TOKEN);
    expect(listed).not.toContain("Signature=");
    const audit = JSON.stringify(await db().auditEvent.findMany());
    expect(audit).not.toContain(TOKEN);
    expect(audit).not.toContain("abcDEFsecretSIG");
    const logs = app.webOutput() + app.workers.map((w) => w.output()).join("");
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain("abcDEFsecretSIG");
  });

  it("generates the encryption key into DATA_DIR, readable by its owner only", () => {
    const st = statSync(path.join(env.dataDir, "secret.key"));
    expect(st.mode & 0o777).toBe(0o600);
  });

  it("keeps passwords and API keys as hashes only", async () => {
    const { key } = await admin.json<{ key: string }>("POST", "/api/api-keys", { name: "ci" });
    const raw = JSON.stringify(await db().$queryRawUnsafe(`SELECT * FROM "ApiKey"`)) + JSON.stringify(await db().$queryRawUnsafe(`SELECT * FROM "User"`));
    expect(raw).not.toContain(key);
    expect(raw).not.toContain("quartz-ember-tide-42");
    expect(raw).toContain("$argon2id$");
  });
});
