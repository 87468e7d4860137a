import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { patchAddon } from "./patch-node-llama-cpp";

const root = path.resolve(import.meta.dirname, "..");
const nlc = path.join(root, "node_modules/node-llama-cpp/llama");
const PATCHED = ["addon.cpp", "AddonModel.h", "AddonModel.cpp"];
let dir: string;

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Our additions to the shipped sources, as patchAddon writes them (postinstall may have applied them to node_modules). */
const ADDITIONS = [
  "void addonBatchSamplingInit(Napi::Object exports);\n",
  "void addonGpuDevicesInit(Napi::Object exports);\n",
  "    addonBatchSamplingInit(exports);\n",
  "    addonGpuDevicesInit(exports);\n",
  "        std::vector<float> tensor_split;\n",
];

/** Copies of the addon sources patchAddon edits, as npm ships them. */
async function pristineAddon(): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), "nlc-addon-"));
  for (const f of PATCHED) {
    let text = await readFile(path.join(nlc, "addon", f), "utf8");
    for (const a of ADDITIONS) text = text.replace(a, "");
    text = text.replace(/\n {8}\/\/ llama-depot \(scripts\/patch-node-llama-cpp\.ts\)[\s\S]*?model_params\.tensor_split = tensor_split\.data\(\);\n {8}\}\n/, "");
    await writeFile(path.join(dir, f), text);
  }
  return dir;
}

const read = (f: string) => readFile(path.join(dir, f), "utf8");

describe("patch-node-llama-cpp", () => {
  it("copies our native sources in and registers them once in the installed node-llama-cpp's addon.cpp", async () => {
    const addon = await pristineAddon();
    expect(await read("addon.cpp")).not.toContain("addonBatchSamplingInit");
    expect(patchAddon(addon)).toBe(true);
    const text = await read("addon.cpp");
    for (const fn of ["addonBatchSamplingInit", "addonGpuDevicesInit"]) {
      expect(text.split(`void ${fn}(Napi::Object exports);`).length).toBe(2);
      expect(text.split(`    ${fn}(exports);\n`).length).toBe(2);
    }
    // Registered right after node-llama-cpp's own sampler class, inside the module's init function.
    expect(text).toMatch(/ {4}AddonSampler::init\(exports\);\n( {4}addon\w+Init\(exports\);\n){2}/);
    for (const f of ["AddonBatchSampling.cpp", "AddonGpuDevices.cpp"]) {
      expect(await read(f)).toBe(await readFile(path.join(root, "native/node-llama-cpp", f), "utf8"));
    }
  });

  it("makes AddonModel read splitMode, mainGpu and tensorSplit into llama_model_params, once", async () => {
    const addon = await pristineAddon();
    patchAddon(addon);
    const model = await read("AddonModel.cpp");
    expect(model).toContain("model_params.split_mode = static_cast<llama_split_mode>(options.Get(\"splitMode\")");
    expect(model).toContain("model_params.main_gpu = options.Get(\"mainGpu\")");
    expect(model).toContain("model_params.tensor_split = tensor_split.data();");
    // Inside the options block of the constructor, right after gpuLayers.
    expect(model.indexOf('options.Has("splitMode")')).toBeGreaterThan(model.indexOf('options.Has("gpuLayers")'));
    expect(model.indexOf('options.Has("splitMode")')).toBeLessThan(model.indexOf('options.Has("vocabOnly")'));
    expect(await read("AddonModel.h")).toContain("        std::vector<llama_model_kv_override> kv_overrides;\n        std::vector<float> tensor_split;\n");

    const before = await Promise.all(PATCHED.map(read));
    expect(patchAddon(addon)).toBe(false);
    expect(await Promise.all(PATCHED.map(read))).toEqual(before);
  });

  it("adds only what is missing to sources an earlier version patched with batch sampling alone", async () => {
    const addon = await pristineAddon();
    const text = (await read("addon.cpp"))
      .replace('#include "AddonSampler.h"\n', '#include "AddonSampler.h"\nvoid addonBatchSamplingInit(Napi::Object exports);\n')
      .replace("    AddonSampler::init(exports);\n", "    AddonSampler::init(exports);\n    addonBatchSamplingInit(exports);\n");
    await writeFile(path.join(addon, "addon.cpp"), text);
    expect(patchAddon(addon)).toBe(true);
    const patched = await read("addon.cpp");
    expect(patched.split("addonBatchSamplingInit(").length).toBe(3);
    expect(patched.split("addonGpuDevicesInit(").length).toBe(3);
  });

  it("fails loudly, changing nothing, when node-llama-cpp's addon no longer has the lines it anchors on", async () => {
    const addon = await pristineAddon();
    await writeFile(path.join(addon, "addon.cpp"), (await read("addon.cpp")).replace("    AddonSampler::init(exports);\n", ""));
    expect(() => patchAddon(addon)).toThrow(/expected "AddonSampler::init\(exports\);" once/);

    const addon2 = await pristineAddon();
    const model = (await read("AddonModel.cpp")).replace('options.Has("gpuLayers")', 'options.Has("nGpuLayers")');
    await writeFile(path.join(addon2, "AddonModel.cpp"), model);
    expect(() => patchAddon(addon2)).toThrow(/AddonModel\.cpp: expected "if \(options\.Has\("gpuLayers"\)\) \{" once/);
    expect(await read("AddonModel.cpp")).toBe(model);
    expect(await read("AddonModel.h")).not.toContain("tensor_split");
  });

  it("compiles against the installed node-llama-cpp's addon headers and its bundled llama.cpp headers", async () => {
    // CI runs prebuilt binaries, which lack the native additions: this at least type-checks them against the pinned sources.
    const addon = await pristineAddon();
    const llamaCpp = path.join(addon, "llama.cpp");
    execFileSync("git", ["clone", "-q", "--no-checkout", path.join(nlc, "gitRelease.bundle"), llamaCpp]);
    execFileSync("git", ["-C", llamaCpp, "checkout", "-q", "HEAD", "--", "include", "ggml/include", "common", "src", "vendor"]);
    const nodeHeaders = path.join(path.dirname(path.dirname(process.execPath)), "include/node");
    expect(existsSync(path.join(nodeHeaders, "node_api.h"))).toBe(true);
    patchAddon(addon);
    // The patched AddonModel.cpp from the copy, every other header from node-llama-cpp's own addon folder.
    const includes = [addon, path.join(nlc, "addon"), llamaCpp, path.join(llamaCpp, "include"), path.join(llamaCpp, "ggml/include"), path.join(llamaCpp, "src"), path.join(llamaCpp, "vendor"), path.join(root, "node_modules/node-addon-api"), nodeHeaders];
    const args = ["-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-DNAPI_VERSION=7", ...includes.map((i) => `-I${i}`)];
    for (const f of ["AddonBatchSampling.cpp", "AddonGpuDevices.cpp"]) execFileSync("g++", [...args, "-Werror", path.join(root, "native/node-llama-cpp", f)], { stdio: "pipe" });
    // node-llama-cpp's own code warns (sign comparisons): errors only.
    execFileSync("g++", [...args, path.join(addon, "AddonModel.cpp")], { stdio: "pipe" });
    // And the check itself catches a broken source.
    await writeFile(path.join(addon, "AddonModel.cpp"), (await read("AddonModel.cpp")).replace("llama_max_devices()) {", "llama_max_devicez()) {"));
    expect(() => execFileSync("g++", [...args, path.join(addon, "AddonModel.cpp")], { stdio: "pipe" })).toThrow(/llama_max_devicez/);
  });
});
