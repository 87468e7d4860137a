import { describe, expect, it } from "vitest";
import { judgeFile, modelStatusOf } from "./record-model-files";

const MD5 = "b5b72b4f2d00670390d3d8d4d9d2c490";

describe("judgeFile", () => {
  it("calls a file verified only when every expected checksum was computed and matched", () => {
    expect(judgeFile({ path: "a", bytes: 1, md5: MD5, expectedMd5: MD5.toUpperCase() }).status).toBe("verified");
    expect(judgeFile({ path: "a", bytes: 1, md5: MD5, sha256: "x", expectedMd5: MD5, expectedSha256: "y" })).toEqual({
      path: "a",
      status: "corrupt",
      error: "sha256 mismatch: expected y, got x",
    });
    expect(judgeFile({ path: "a", bytes: 1, expectedSha256: "y" })).toMatchObject({ status: "corrupt", error: "sha256 was not computed" });
  });

  it("keeps files without any expectation as merely downloaded", () => {
    expect(judgeFile({ path: "LICENSE", bytes: 10, md5: MD5, sha256: "s" })).toEqual({ path: "LICENSE", status: "downloaded", error: null });
  });

  it("reports missing files and size mismatches without looking at hashes", () => {
    expect(judgeFile({ path: "a", bytes: null, md5: MD5, expectedMd5: MD5 })).toMatchObject({ status: "corrupt", error: "file is missing" });
    expect(judgeFile({ path: "a", bytes: 5, sha256: "s", expectedSha256: "s", expectedBytes: 6 })).toMatchObject({
      status: "corrupt",
      error: "size mismatch: expected 6 bytes, found 5",
    });
  });
});

describe("modelStatusOf", () => {
  const v = (status: "downloaded" | "verified" | "corrupt") => ({ path: status, status, error: null });
  it("is corrupt if any file is, verified if some checksum matched, else ready", () => {
    expect(modelStatusOf([v("verified"), v("corrupt"), v("downloaded")])).toBe("corrupt");
    expect(modelStatusOf([v("verified"), v("downloaded")])).toBe("verified");
    expect(modelStatusOf([v("downloaded")])).toBe("ready");
  });
});
