import { convertModel, quantizeGguf, type FileType } from "../../lib/convert";
import { nativeCopyFileRange } from "../../lib/convert/copy-file-range";

// Runs one conversion (a checkpoint folder) or quantization (`--gguf`: an F16 GGUF file) in its own process so the
// parent can read this process's peak RSS (all threads included). The writer hashes the file as it writes it, so the
// time includes the sha256 a conversion job records.
const args = process.argv.slice(2);
const gguf = args[0] === "--gguf";
const [input, outFile, type, durable] = gguf ? args.slice(1) : args;
const start = performance.now();
const params = { outFile: outFile!, type: type as FileType, durable: durable === "durable" };
const result = gguf ? await quantizeGguf({ ...params, inFile: input! }) : await convertModel({ ...params, inputDir: input! });
const seconds = (performance.now() - start) / 1000;
const maxRssKiB = process.resourceUsage().maxRSS;
const copyFileRange = nativeCopyFileRange() !== null;
process.stdout.write(JSON.stringify({ seconds, sha256: result.sha256, maxRssKiB, bytes: result.bytes, copyFileRange }) + "\n");
