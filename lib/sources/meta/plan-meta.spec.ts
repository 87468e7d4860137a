import { describe, expect, it } from "vitest";
import { familyOfHfRepo, META_CATALOG, type MetaCatalog } from "./catalog";
import { fileUrl } from "./file-url";
import { checkLinkFamily, linkFamily, planMeta } from "./plan-meta";

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
    const evil: MetaCatalog = { "llama-2": { ...base, models: [{ id: "7B", folder: "../outside", files: ["x.pth"], checklist: "checklist.chk", shards: 1, approxBytes: 0 }] } };
    expect(() => planMeta({ models: ["7B"], catalog: evil })).toThrow(/unsafe file name/);
    const evilShared: MetaCatalog = { "llama-2": { ...base, shared: ["/etc/passwd"] } };
    expect(() => planMeta({ models: ["7B"], catalog: evilShared })).toThrow(/unsafe file name/);
  });
});

describe("planMeta for Llama 3.x (Meta's llama CLI layout)", () => {
  it("plans one folder per model, its own tokenizer and checklist, nothing shared", () => {
    const plan = planMeta({ family: "llama-3.1", models: ["Llama3.1-8B-Instruct", "llama3.1-70b"] });
    expect(plan.checklists).toEqual([
      { path: "Llama-3.1-8B-Instruct/checklist.chk", covers: ["Llama-3.1-8B-Instruct/tokenizer.model", "Llama-3.1-8B-Instruct/params.json", "Llama-3.1-8B-Instruct/consolidated.00.pth"] },
      expect.objectContaining({ path: "Llama-3.1-70B/checklist.chk" }),
    ]);
    expect(plan.models.map((m) => m.id)).toEqual(["Llama3.1-8B-Instruct", "Llama3.1-70B"]);
    expect(plan.files.filter((f) => f.startsWith("Llama-3.1-8B-Instruct/"))).toEqual([
      "Llama-3.1-8B-Instruct/tokenizer.model",
      "Llama-3.1-8B-Instruct/params.json",
      "Llama-3.1-8B-Instruct/consolidated.00.pth",
    ]);
    expect(plan.files.filter((f) => f.startsWith("Llama-3.1-70B/consolidated."))).toHaveLength(8);
    expect(plan.files.some((f) => !f.includes("/"))).toBe(false);
  });

  it("knows the 3.2, 3.3 and 405B folders and files, and takes the folder (Hugging Face repo) name as id", () => {
    expect(planMeta({ family: "llama-3.2", models: ["Llama-3.2-1B-Instruct"] }).files).toEqual([
      "Llama-3.2-1B-Instruct/tokenizer.model",
      "Llama-3.2-1B-Instruct/params.json",
      "Llama-3.2-1B-Instruct/consolidated.00.pth",
    ]);
    expect(planMeta({ family: "llama-3.3", models: ["Llama3.3-70B-Instruct"] }).files).toContain("Llama-3.3-70B-Instruct/consolidated.07.pth");
    const mp16 = planMeta({ family: "llama-3.1", models: ["Llama3.1-405B:bf16-mp16"] });
    expect(mp16.files.filter((f) => f.endsWith(".pth"))).toHaveLength(16);
    expect(mp16.files[0]).toBe("Llama-3.1-405B-MP16/tokenizer.model");
    const fp8 = planMeta({ family: "llama-3.1", models: ["Llama3.1-405B-Instruct"] }).files;
    expect(fp8).toContain("Llama-3.1-405B-Instruct/fp8_scales_7.pt");
    expect(fp8).toContain("Llama-3.1-405B-Instruct/consolidated.07.pth");
  });

  it("rejects another family's ids and unknown families", () => {
    expect(() => planMeta({ family: "llama-3.1", models: ["7B"] })).toThrow(/unknown model 7B; known: Llama3.1-8B, Llama3.1-8B-Instruct/);
    expect(() => planMeta({ family: "llama-9", models: ["7B"] })).toThrow(/unknown model family llama-9; known: llama-2, llama-3.1, llama-3.2, llama-3.3/);
  });
});

describe("checkLinkFamily", () => {
  const link = (host: string) => `https://${host}/*?Policy=a&Signature=b&Key-Pair-Id=c`;
  it("names the family of a link on another family's host", () => {
    expect(linkFamily(link("llama3-2-lightweight.llamameta.net"))).toBe("llama-3.2");
    expect(linkFamily(link("download6.llamameta.net"))).toBe("llama-2");
    expect(() => checkLinkFamily(link("llama3-2-lightweight.llamameta.net"), "llama-3.1")).toThrow(
      "this link (llama3-2-lightweight.llamameta.net) is for Llama 3.2, not Llama 3.1: choose Llama 3.2, or paste the link Meta sent for Llama 3.1",
    );
    expect(() => checkLinkFamily(link("llama3-1.llamameta.net"), "llama-2")).toThrow(/is for Llama 3.1, not Llama 2/);
  });

  it("lets the family's own host and hosts no family names through", () => {
    expect(() => checkLinkFamily(link("llama3-1.llamameta.net"), "llama-3.1")).not.toThrow();
    expect(() => checkLinkFamily(link("download.llamameta.net"), "llama-2")).not.toThrow();
    expect(() => checkLinkFamily(link("127.0.0.1:4000"), "llama-3.3")).not.toThrow();
  });
});

describe("familyOfHfRepo", () => {
  it("names the family of Meta's own Hub repos by their folder, and nothing else", () => {
    expect(familyOfHfRepo("meta-llama/Llama-3.1-8B-Instruct")).toBe("llama-3.1");
    expect(familyOfHfRepo("meta-llama/Llama-3.2-3B")).toBe("llama-3.2");
    expect(familyOfHfRepo("meta-llama/Llama-2-7b-chat-hf")).toBe("llama-2");
    expect(familyOfHfRepo("someone/Llama-3.1-8B-Instruct")).toBeUndefined();
    expect(familyOfHfRepo("meta-llama/Llama-Guard-3-8B")).toBeUndefined();
  });
});

describe("fileUrl", () => {
  it("puts the path in place of the star and keeps the signature", () => {
    expect(fileUrl("https://h.net/*?Policy=a&Signature=b~c", "llama-2-7b/params.json")).toBe(
      "https://h.net/llama-2-7b/params.json?Policy=a&Signature=b~c",
    );
  });
});
