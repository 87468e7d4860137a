import { describe, expect, it } from "vitest";
import { createStopMatcher } from "./stop-matcher";

describe("createStopMatcher", () => {
  it("passes text through when there are no stop strings", () => {
    expect(createStopMatcher([])("hello")).toEqual({ safe: "hello", stopped: false });
  });

  it("cuts at the earliest stop string", () => {
    expect(createStopMatcher(["END", "\n\n"])("one\n\ntwo END")).toEqual({ safe: "one", stopped: true });
  });

  it("holds back a suffix that may become a stop string, and releases it when it does not", () => {
    const m = createStopMatcher(["</answer>"]);
    expect(m("x = 1 </ans")).toEqual({ safe: "x = 1 ", stopped: false });
    expect(m("x = 1 </and")).toEqual({ safe: "x = 1 </and", stopped: false });
  });

  it("holds back a trailing partial UTF-8 character", () => {
    expect(createStopMatcher([])("abc\uFFFD")).toEqual({ safe: "abc", stopped: false });
  });
});
