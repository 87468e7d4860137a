import { convertModel, quantizeGguf, type FileType } from "../../lib/convert";
import { nativeCopyFileRange } from "../../lib/convert/copy-file-range";
import { verifyBlob } from "../../lib/verify";

// Runs one conversion (a checkpoint folder) or quantization (`--gguf`: an F16 GGUF file) in its own process so the
// parent can read this process's peak RSS (all threads included), then the read-back a conversion job does after it
// (lib/models/convert-to-gguf.ts): one pass over the file for its sha256 and the writer's CRC-32.
const args = process.argv.slice(2);
const gguf = args[0] === "--gguf";
const [input, outFile, type, durable] = gguf ? args.slice(1) : args;
const start = performance.now();
const params = { outFile: outFile!, type: type as FileType, durable: durable === "durable" };
const result = gguf ? await quantizeGguf({ ...params, inFile: input! }) : await convertModel({ ...params, inputDir: input! });
const seconds = (performance.now() - start) / 1000;
const maxRssKiB = process.resourceUsage().maxRSS;
const hashStart = performance.now();
const onDisk = await verifyBlob({ file: result.outFile, bytes: result.bytes, crc32: result.crc32, compute: ["sha256"] });
if (!onDisk.ok) throw new Error(`${result.outFile} on disk differs from what was written`);
const sha256Seconds = (performance.now() - hashStart) / 1000;
const copyFileRange = nativeCopyFileRange() !== null;
process.stdout.write(JSON.stringify({ seconds, sha256Seconds, maxRssKiB, bytes: result.bytes, copyFileRange }) + "\n");
