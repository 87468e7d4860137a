import { describe, expect, it, vi } from "vitest";
import { auditCsv } from "../../lib/audit/list-audit";
import { csvCell } from "../../lib/http/csv";

describe("finding 6: CSV formula injection", () => {
  it.each([
    ["=HYPERLINK(\"http://x\")", `"'=HYPERLINK(""http://x"")"`],
    ["+1+1", `"'+1+1"`],
    ["-2+3", `"'-2+3"`],
    ["@SUM(A1)", `"'@SUM(A1)"`],
    ["\tcmd", `"'\tcmd"`],
    ["\rcmd", `"'\rcmd"`],
    ["plain", "plain"],
  ])("neutralizes %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("the audit export neutralizes an attacker's login email and ip", () => {
    const csv = auditCsv([
      { id: "1", at: "2026-01-01T00:00:00.000Z", actor: "", action: "auth.login_failed", target: "=cmd|' /C calc'!A0", detail: null, ip: "@1.2.3.4" },
    ]);
    expect(csv.split("\n")[1]).toBe(`2026-01-01T00:00:00.000Z,,auth.login_failed,"'=cmd|' /C calc'!A0",,"'@1.2.3.4"`);
  });
});

describe("finding 8: weak passwords are refused", () => {
  it.each(["password", "12345678", "        ", "Password1!", "qwerty123", "aaaaaaaa", "abababab", "abcdefgh", "87654321", "short"])("refuses %j", async (password) => {
    const { newUserInput } = await import("../../lib/users/create-user");
    expect(newUserInput.safeParse({ email: "ann@example.com", name: "Ann", password }).success).toBe(false);
  });

  it("refuses a password built from the email and accepts a strong one", async () => {
    const { newUserInput } = await import("../../lib/users/create-user");
    expect(newUserInput.safeParse({ email: "annabelle@example.com", name: "A", password: "annabelle2024" }).success).toBe(false);
    expect(newUserInput.safeParse({ email: "ann@example.com", name: "A", password: "correct horse battery" }).success).toBe(true);
  });
});

describe("finding 13: sign-in costs one argon2 verify for known and unknown emails", () => {
  it("verifies against a dummy hash when there is no account", async () => {
    vi.resetModules();
    const verify = vi.fn(async () => false);
    vi.doMock("@node-rs/argon2", async (orig) => ({ ...(await orig<typeof import("@node-rs/argon2")>()), verify }));
    const { verifyLogin } = await import("../../lib/auth/password");
    expect(await verifyLogin(undefined, "whatever-password")).toBe(false);
    expect(verify).toHaveBeenCalledTimes(1);
    vi.doUnmock("@node-rs/argon2");
  });
});

describe("finding 9: request bodies are capped", () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request("http://127.0.0.1/api/auth/login", { method: "POST", body, headers, duplex: "half" } as RequestInit);

  it("refuses by Content-Length and while streaming, with 413", async () => {
    const { PUBLIC_BODY_LIMIT, readJson } = await import("../../lib/http/route");
    const big = JSON.stringify({ email: "a@b.c", password: "x".repeat(PUBLIC_BODY_LIMIT) });
    await expect(readJson(post(big), undefined, PUBLIC_BODY_LIMIT)).rejects.toMatchObject({ status: 413 });
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += 64 * 1024;
        if (sent > 150 * 2 ** 20) c.close();
        else c.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    await expect(readJson(post(stream), undefined, PUBLIC_BODY_LIMIT)).rejects.toMatchObject({ status: 413 });
    expect(sent).toBeLessThan(1024 * 1024);
  });

  it("the login route answers 413 for a 2 MiB body and still parses a small one", async () => {
    const { POST } = await import("../../app/api/auth/login/route");
    const res = await POST(post(JSON.stringify({ email: "a@b.c", password: "x".repeat(2 * 2 ** 20) }), { "content-type": "application/json" }), { params: Promise.resolve({}) });
    expect(res.status).toBe(413);
    const { readJson, DEFAULT_BODY_LIMIT } = await import("../../lib/http/route");
    expect(await readJson(post('{"a":1}'), undefined, DEFAULT_BODY_LIMIT)).toEqual({ a: 1 });
  });
});
