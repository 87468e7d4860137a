import { describe, expect, it } from "vitest";
import { auditCsv } from "./list-audit";

describe("auditCsv", () => {
  it("writes a header and quotes cells with commas, quotes and newlines", () => {
    const csv = auditCsv([
      { id: "1", at: "2026-01-01T00:00:00.000Z", actor: "a@x", action: "model.delete", target: "m,1", detail: '{"a":"b"}', ip: null },
      { id: "2", at: "2026-01-02T00:00:00.000Z", actor: "b@x", action: "auth.login", target: "line\nbreak", detail: null, ip: "127.0.0.1" },
    ]);
    expect(csv.split("\n")[0]).toBe("time,actor,action,target,detail,ip");
    expect(csv).toContain('2026-01-01T00:00:00.000Z,a@x,model.delete,"m,1","{""a"":""b""}",\n');
    expect(csv).toContain('"line\nbreak",,127.0.0.1\n');
  });
});
