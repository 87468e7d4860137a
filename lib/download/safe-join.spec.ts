import path from "node:path";
import { describe, expect, it } from "vitest";
import { DownloadError } from "./errors";
import { safeJoin } from "./safe-join";

describe("safeJoin", () => {
  const root = "/data/models/llama-2-7b";

  it("joins plain and nested names under the root", () => {
    expect(safeJoin(root, "consolidated.00.pth")).toBe(path.join(root, "consolidated.00.pth"));
    expect(safeJoin(root, "original/params.json")).toBe(path.join(root, "original/params.json"));
  });

  it.each([
    "../etc/passwd",
    "a/../../b",
    "..",
    "/etc/passwd",
    "C:/Windows/x",
    "a\\..\\b",
    "a\0b",
    "a//b",
    "./a",
    "a/",
    "",
    "line\nbreak",
  ])("rejects %j", (name) => {
    expect(() => safeJoin(root, name)).toThrowError(DownloadError);
    try {
      safeJoin(root, name);
    } catch (err) {
      expect((err as DownloadError).code).toBe("unsafe_path");
    }
  });
});
