import { convertModel } from "../../lib/convert";

// Runs one conversion in its own process so the parent can read this process's peak RSS (all threads included).
const [inputDir, outFile, type, durable] = process.argv.slice(2);
const start = performance.now();
const result = await convertModel({ inputDir: inputDir!, outFile: outFile!, type: type as "f16" | "q8_0", durable: durable === "durable" });
const seconds = (performance.now() - start) / 1000;
process.stdout.write(JSON.stringify({ seconds, maxRssKiB: process.resourceUsage().maxRSS, bytes: result.bytes }) + "\n");
