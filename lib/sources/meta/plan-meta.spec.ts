import { describe, expect, it } from "vitest";
import { META_CATALOG, type MetaCatalog } from "./catalog";
import { fileUrl } from "./file-url";
import { planMeta } from "./plan-meta";

describe("planMeta", () => {
  it("plans shared files, checklists and shards from the catalog", () => {
    const plan = planMeta({ models: ["7B", "70B-chat"] });
    expect(plan.checklists.map((c) => c.path)).toEqual([
      "tokenizer_checklist.chk",
      "llama-2-7b/checklist.chk",
      "llama-2-70b-chat/checklist.chk",
    ]);
    expect(plan.files).toContain("LICENSE");
    expect(plan.files).toContain("USE_POLICY.md");
    expect(plan.files).toContain("llama-2-7b/consolidated.00.pth");
    expect(plan.files.filter((f) => f.startsWith("llama-2-70b-chat/consolidated."))).toHaveLength(8);
    expect(plan.files).toContain("llama-2-70b-chat/consolidated.07.pth");
    expect(planMeta({ models: ["13B"] }).files.filter((f) => f.endsWith(".pth"))).toEqual([
      "llama-2-13b/consolidated.00.pth",
      "llama-2-13b/consolidated.01.pth",
    ]);
  });

  it("rejects unknown models", () => {
    expect(() => planMeta({ models: ["8B"] })).toThrow(/unknown model 8B; known: 7B, 13B, 70B, 7B-chat/);
  });

  it("rejects catalog entries that would escape the download folder", () => {
    const base = META_CATALOG["llama-2"];
    if (!base) throw new Error("catalog");
    const evil: MetaCatalog = { "llama-2": { ...base, models: [{ id: "7B", folder: "../outside", files: ["x.pth"], checklist: "checklist.chk" }] } };
    expect(() => planMeta({ models: ["7B"], catalog: evil })).toThrow(/unsafe file name/);
    const evilShared: MetaCatalog = { "llama-2": { ...base, shared: ["/etc/passwd"] } };
    expect(() => planMeta({ models: ["7B"], catalog: evilShared })).toThrow(/unsafe file name/);
  });
});

describe("fileUrl", () => {
  it("puts the path in place of the star and keeps the signature", () => {
    expect(fileUrl("https://h.net/*?Policy=a&Signature=b~c", "llama-2-7b/params.json")).toBe(
      "https://h.net/llama-2-7b/params.json?Policy=a&Signature=b~c",
    );
  });
});
