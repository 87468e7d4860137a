import { Option, type Command } from "commander";
import { convertModel, FILE_TYPES, type FileType } from "../../lib/convert";
import { assertSelfContainedFolder } from "../local-folder";
import { tensorProgress } from "../tensor-progress";

/** `depot convert <dir> --type q8_0 --out model.gguf`: converts locally, no server needed. */
export function register(program: Command): void {
  program
    .command("convert <dir>")
    .description("convert a Llama checkpoint folder (safetensors, pytorch_model*.bin or Meta consolidated.*.pth) to GGUF")
    .addOption(new Option("-t, --type <type>", "output type").choices(FILE_TYPES).default("f16"))
    .requiredOption("-o, --out <file>", "GGUF file to write")
    .option("--name <name>", "general.name (default: the folder's name)")
    .action(async (dir: string, opts: { type: FileType; out: string; name?: string }) => {
      await assertSelfContainedFolder(dir);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      const progress = tensorProgress();
      try {
        const r = await convertModel({
          inputDir: dir,
          outFile: opts.out,
          type: opts.type,
          name: opts.name,
          signal: controller.signal,
          onProgress: progress.onProgress,
        });
        progress.stop();
        console.log(`${r.outFile}: ${r.fileType}, ${r.tensorCount} tensors, ${r.parameterCount.toLocaleString("en")} parameters, ${r.bytes.toLocaleString("en")} bytes`);
        console.log(`sha256 ${r.sha256}`);
      } finally {
        progress.stop();
        process.off("SIGINT", onSigint);
      }
    });
}
