import { describe, expect, it } from "vitest";
import { isSameOrigin } from "./csrf";

const h = (o: Record<string, string>) => new Headers(o);

describe("isSameOrigin", () => {
  it("accepts a matching Origin and refuses another", () => {
    expect(isSameOrigin(h({ origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" }), "http://127.0.0.1:3000/api/x")).toBe(true);
    expect(isSameOrigin(h({ origin: "https://evil.example", host: "127.0.0.1:3000" }), "http://127.0.0.1:3000/api/x")).toBe(false);
    expect(isSameOrigin(h({ origin: "null", host: "127.0.0.1:3000" }), "http://127.0.0.1:3000/api/x")).toBe(false);
  });
  it("falls back to Sec-Fetch-Site and refuses requests that carry neither", () => {
    expect(isSameOrigin(h({ "sec-fetch-site": "same-origin", host: "a" }), "http://a/x")).toBe(true);
    expect(isSameOrigin(h({ "sec-fetch-site": "cross-site", host: "a" }), "http://a/x")).toBe(false);
    expect(isSameOrigin(h({ host: "a" }), "http://a/x")).toBe(false);
  });
});
