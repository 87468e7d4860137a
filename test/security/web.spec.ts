import { describe, expect, it, vi } from "vitest";
import { auditCsv } from "../../lib/audit/list-audit";
import { csvCell } from "../../lib/csv";

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

describe("finding 4: forwarding headers are believed only from TRUSTED_PROXIES", () => {
  it("an untrusted peer's X-Forwarded-For, X-Real-IP and a forged client-ip header are dropped", async () => {
    const { applyClientIp, CLIENT_IP_HEADER, trustedProxies } = await import("../../lib/http/client-ip");
    const headers: Record<string, string | undefined> = {
      "x-forwarded-for": "6.6.6.6",
      "x-real-ip": "7.7.7.7",
      "x-forwarded-host": "evil.example",
      [CLIENT_IP_HEADER]: "8.8.8.8",
    };
    applyClientIp(headers, "::ffff:203.0.113.9", trustedProxies(""));
    expect(headers).toEqual({ [CLIENT_IP_HEADER]: "203.0.113.9" });
  });

  it("a trusted proxy's X-Forwarded-For is walked from the right past trusted hops", async () => {
    const { resolveClientIp, trustedProxies } = await import("../../lib/http/client-ip");
    const trusted = trustedProxies("10.0.0.1, 192.168.0.0/16, ::1");
    expect(resolveClientIp("10.0.0.1", "6.6.6.6, 198.51.100.7, 192.168.3.4", trusted)).toBe("198.51.100.7");
    expect(resolveClientIp("::1", "198.51.100.7", trusted)).toBe("198.51.100.7");
    expect(resolveClientIp("10.0.0.2", "198.51.100.7", trusted)).toBe("10.0.0.2");
    expect(() => trustedProxies("10.0.0.0/33")).toThrow(/TRUSTED_PROXIES/);
  });

  it("route handlers read only the server-set header, never X-Forwarded-For", async () => {
    const { clientIp } = await import("../../lib/http/route");
    expect(clientIp(new Request("http://127.0.0.1/", { headers: { "x-forwarded-for": "6.6.6.6" } }))).toBeUndefined();
  });
});

describe("finding 14: bad numbers in query strings are 400, not 500", () => {
  it.each(["limit=abc", "limit=-1", "limit=1.5", "offset=NaN", "limit=1e9"])("GET /api/runs/<id>?%s", async (qs) => {
    const { parseQuery } = await import("../../lib/http/query");
    const { errorResponse } = await import("../../lib/http/route");
    const { z } = await import("zod");
    const schema = z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) });
    let res: Response | undefined;
    try {
      parseQuery(new Request(`http://127.0.0.1/api/runs/r1?${qs}`), schema);
    } catch (err) {
      res = errorResponse(err);
    }
    expect(res?.status).toBe(400);
  });
});

describe("finding 14: job errors shown to users carry no absolute server paths", () => {
  it.each([
    ["ENOENT: no such file or directory, open '/srv/depot/data/models/llama/model.gguf'", "ENOENT: no such file or directory, open '<DATA_DIR>/models/llama/model.gguf'"],
    ["Cannot find module '/home/ops/llama-depot/node_modules/x/index.js'", "Cannot find module '…/index.js'"],
    ["fetch https://huggingface.co/org/repo/resolve/main/a.bin failed", "fetch https://huggingface.co/org/repo/resolve/main/a.bin failed"],
    ["checksum mismatch for consolidated.00.pth", "checksum mismatch for consolidated.00.pth"],
  ])("%s", async (input, expected) => {
    const { redactPaths } = await import("../../lib/queue/redact-paths");
    expect(redactPaths(input, "/srv/depot/data")).toBe(expected);
  });
});

describe("finding 8: strong passwords of digits and symbols are not mistaken for the email", () => {
  it("accepts 9#7$1&3@5!2", async () => {
    const { passwordFromEmail, passwordProblem } = await import("../../lib/auth/password-policy");
    expect(passwordProblem("9#7$1&3@5!2")).toBeNull();
    expect(passwordFromEmail("9#7$1&3@5!2", "ann@example.com")).toBeNull();
  });
});
