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
