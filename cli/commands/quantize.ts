import { InvalidArgumentError, Option, type Command } from "commander";
import { parseQuantizeType, QUANTIZE_TYPES, quantizeGguf, type QuantizeType } from "../../lib/convert";
import { tensorProgress } from "../tensor-progress";

function typeArg(value: string): QuantizeType {
  try {
    return parseQuantizeType(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** `depot quantize in.gguf --type Q8_0 --out out.gguf`: quantizes an F32/F16/BF16 GGUF locally, no server needed. */
export function register(program: Command): void {
  program
    .command("quantize <file>")
    .description("quantize an F32/F16/BF16 GGUF file to another file type")
    .addOption(
      new Option("-t, --type <type>", `file type: ${QUANTIZE_TYPES.map((t) => t.toUpperCase()).join(", ")} (any case)`)
        .argParser(typeArg)
        .makeOptionMandatory(),
    )
    .requiredOption("-o, --out <file>", "GGUF file to write")
    .action(async (file: string, opts: { type: QuantizeType; out: string }) => {
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      const progress = tensorProgress();
      try {
        const r = await quantizeGguf({
          inFile: file,
          outFile: opts.out,
          type: opts.type,
          signal: controller.signal,
          onProgress: progress.onProgress,
        });
        progress.stop();
        console.log(`${r.outFile}: ${r.fileType}, ${r.tensorCount} tensors, ${r.parameterCount.toLocaleString("en")} parameters, ${r.bytes.toLocaleString("en")} bytes (${r.bitsPerWeight.toFixed(2)} bits per weight)`);
        console.log(`sha256 ${r.sha256}`);
      } finally {
        progress.stop();
        process.off("SIGINT", onSigint);
      }
    });
}
