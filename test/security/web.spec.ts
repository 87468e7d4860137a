import { describe, expect, it } from "vitest";
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
