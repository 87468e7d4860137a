import { describe, expect, it } from "vitest";
import { parseContentRange, serverReason } from "./http";

describe("parseContentRange", () => {
  it("reads ranges, unknown totals and unsatisfied ranges", () => {
    expect(parseContentRange("bytes 0-99/1000")).toEqual({ start: 0, end: 99, total: 1000 });
    expect(parseContentRange("bytes 5-9/*")).toEqual({ start: 5, end: 9, total: null });
    expect(parseContentRange("bytes */1000")).toEqual({ start: null, end: null, total: 1000 });
    expect(parseContentRange("items 0-1/2")).toBeNull();
    expect(parseContentRange(null)).toBeNull();
  });
});

describe("serverReason", () => {
  it("extracts S3/CloudFront XML and hub JSON reasons", () => {
    expect(serverReason("<Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>")).toBe(
      "AccessDenied: Access denied",
    );
    expect(serverReason(JSON.stringify({ error: "Invalid credentials" }))).toBe("Invalid credentials");
    expect(serverReason("<html>oops</html>")).toBeUndefined();
  });
});
