import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyGguf } from "../../test/helpers/tiny-gguf";
import { ModelPlacementError } from "./errors";
import { loadModelSplit } from "./model-split";

let llama: Llama;
let gguf: string;

beforeAll(async () => {
  [llama, gguf] = await Promise.all([getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" as never }), tinyGguf()]);
});

afterAll(async () => {
  await llama?.dispose();
});

type Bindings = { AddonModel: new (...args: unknown[]) => object; getGpuDevices?: () => unknown[] };

describe("split options on node-llama-cpp's real addon", () => {
  it("refuses them on the prebuilt binary, and loads without them as node-llama-cpp does", async () => {
    const err = await loadModelSplit(llama, gguf, { tensorSplit: [1] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelPlacementError);
    expect((err as ModelPlacementError).code).toBe("split_unsupported");
    const model = await loadModelSplit(llama, gguf, {});
    expect(model.tokenize("Hello").length).toBeGreaterThan(0);
    await model.dispose();
  });

  it("hands them to the native AddonModel constructor that LlamaModel calls, and the model it builds works", async () => {
    // As a patched build would look (the prebuilt addon ignores the keys it does not know); recording what reaches the class.
    const bindings = (llama as unknown as { _bindings: Bindings })._bindings;
    const seen: unknown[] = [];
    const native = bindings.AddonModel;
    bindings.getGpuDevices = () => [];
    bindings.AddonModel = new Proxy(native, { construct: (t, args: unknown[]) => (seen.push(args[1]), Reflect.construct(t, args) as object) });
    try {
      const model = await loadModelSplit(llama, gguf, { splitMode: 1, tensorSplit: [1] });
      // LlamaModel's construction (node-llama-cpp's memory estimate before it builds its own, noAlloc, handle).
      const loads = seen.filter((o) => (o as { addonExports?: unknown }).addonExports);
      expect(loads).toEqual([expect.objectContaining({ splitMode: 1, tensorSplit: [1], gpuLayers: expect.any(Number) })]);
      expect(model.tokenize("Hello").length).toBeGreaterThan(0);
      const context = await model.createContext({ contextSize: 64 });
      await context.dispose();
      await model.dispose();
      // A later load without options passes nothing extra.
      const plain = await loadModelSplit(llama, gguf, {});
      expect(seen.filter((o) => (o as { addonExports?: unknown }).addonExports)[1]).not.toHaveProperty("tensorSplit");
      await plain.dispose();
    } finally {
      delete bindings.getGpuDevices;
    }
  });
});
