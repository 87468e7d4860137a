import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { patchAddon } from "./patch-node-llama-cpp";

const root = path.resolve(import.meta.dirname, "..");
let dir: string;

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A copy of node-llama-cpp's addon.cpp as npm ships it, with our registration taken out if postinstall already added it. */
async function pristineAddon(): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), "nlc-addon-"));
  const shipped = await readFile(path.join(root, "node_modules/node-llama-cpp/llama/addon/addon.cpp"), "utf8");
  await writeFile(path.join(dir, "addon.cpp"), shipped.replace("void addonBatchSamplingInit(Napi::Object exports);\n", "").replace("    addonBatchSamplingInit(exports);\n", ""));
  return dir;
}

describe("patch-node-llama-cpp", () => {
  it("adds the batch sampling source and registers it once in the installed node-llama-cpp's addon.cpp", async () => {
    const addon = await pristineAddon();
    expect(patchAddon(addon)).toBe(true);
    const text = await readFile(path.join(addon, "addon.cpp"), "utf8");
    expect(text.split("void addonBatchSamplingInit(Napi::Object exports);").length).toBe(2);
    // Registered right after node-llama-cpp's own sampler class, inside the module's init function.
    expect(text).toContain("    AddonSampler::init(exports);\n    addonBatchSamplingInit(exports);\n");
    expect(await readFile(path.join(addon, "AddonBatchSampling.cpp"), "utf8")).toBe(await readFile(path.join(root, "native/node-llama-cpp/AddonBatchSampling.cpp"), "utf8"));
    expect(patchAddon(addon)).toBe(false);
    expect(await readFile(path.join(addon, "addon.cpp"), "utf8")).toBe(text);
  });

  it("fails loudly when node-llama-cpp's addon no longer has the lines it anchors on", async () => {
    const addon = await pristineAddon();
    await cp(path.join(addon, "addon.cpp"), path.join(addon, "orig.cpp"));
    await writeFile(path.join(addon, "addon.cpp"), (await readFile(path.join(addon, "orig.cpp"), "utf8")).replace("    AddonSampler::init(exports);\n", ""));
    expect(() => patchAddon(addon)).toThrow(/expected "AddonSampler::init\(exports\);" once/);
  });

  it("compiles, warning-free, against the installed node-llama-cpp's addon headers and its bundled llama.cpp headers", async () => {
    // CI runs prebuilt binaries, which lack the native addition: this at least type-checks it against the pinned sources.
    dir = await mkdtemp(path.join(os.tmpdir(), "nlc-compile-"));
    const nlc = path.join(root, "node_modules/node-llama-cpp/llama");
    const llamaCpp = path.join(dir, "llama.cpp");
    execFileSync("git", ["clone", "-q", "--no-checkout", path.join(nlc, "gitRelease.bundle"), llamaCpp]);
    execFileSync("git", ["-C", llamaCpp, "checkout", "-q", "HEAD", "--", "include", "ggml/include"]);
    const nodeHeaders = path.join(path.dirname(path.dirname(process.execPath)), "include/node");
    expect(existsSync(path.join(nodeHeaders, "node_api.h"))).toBe(true);
    const includes = [path.join(nlc, "addon"), path.join(llamaCpp, "include"), path.join(llamaCpp, "ggml/include"), path.join(root, "node_modules/node-addon-api"), nodeHeaders];
    const args = ["-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-DNAPI_VERSION=7", ...includes.map((i) => `-I${i}`)];
    execFileSync("g++", [...args, path.join(root, "native/node-llama-cpp/AddonBatchSampling.cpp")], { stdio: "pipe" });
    // And the check itself catches a broken source.
    const broken = path.join(dir, "Broken.cpp");
    await writeFile(broken, (await readFile(path.join(root, "native/node-llama-cpp/AddonBatchSampling.cpp"), "utf8")).replace("llama_n_seq_max(", "llama_n_seq_maxx("));
    expect(() => execFileSync("g++", [...args, broken], { stdio: "pipe" })).toThrow(/llama_n_seq_maxx/);
  });
});
