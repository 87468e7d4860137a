import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseChecklist } from "./parse-checklist";

const META = path.resolve(import.meta.dirname, "../../test/fixtures/tiny-llama/meta");

describe("parseChecklist", () => {
  it("parses md5sum output, text and binary mode", () => {
    expect(parseChecklist(readFileSync(path.join(META, "checklist.chk"), "utf8"))).toEqual([
      { md5: "b5b72b4f2d00670390d3d8d4d9d2c490", path: "consolidated.00.pth" },
      { md5: "9c7b3efee874223c804a652b075e2e66", path: "params.json" },
    ]);
    expect(parseChecklist("EEEC4125E9C7560836B4873B6F8E3025 *./tokenizer.model\r\n")).toEqual([
      { md5: "eeec4125e9c7560836b4873b6f8e3025", path: "tokenizer.model" },
    ]);
  });

  it.each([
    ["an XML error page", '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code></Error>'],
    ["an HTML page", "<html><body>403 Forbidden</body></html>"],
    ["an empty body", "\n"],
    ["a short hash", "abc  params.json"],
  ])("rejects %s", (_, text) => {
    expect(() => parseChecklist(text)).toThrow(/checklist/);
  });
});
