import { describe, expect, it } from "vitest";
import { redactUrl } from "./redact-url";

describe("redactUrl", () => {
  it("drops the query string and credentials", () => {
    const url = "https://user:pw@download.llamameta.net/llama-2-7b/params.json?Policy=abc&Signature=def&Key-Pair-Id=K1";
    const out = redactUrl(url);
    expect(out).toBe("https://download.llamameta.net/llama-2-7b/params.json?<redacted>");
    expect(out).not.toMatch(/Policy|Signature|abc|def|pw/);
  });

  it("keeps URLs without a query as they are", () => {
    expect(redactUrl("http://127.0.0.1:8080/a/b")).toBe("http://127.0.0.1:8080/a/b");
  });

  it("never echoes an unparsable input", () => {
    expect(redactUrl("not a url?Signature=secret")).toBe("<invalid url>");
  });
});
