import { createHash } from "node:crypto";
import { createReadStream, openAsBlob } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { config } from "../../lib/config/env";
import type { ModelDetailDto } from "../../lib/models/model-dto";
import { finishUpload, sendChunks, startUpload, uploadStatus } from "../../lib/uploads/upload-client";

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * `depot upload <file.gguf>`: the browser's upload protocol from a shell. The file's sha256 is computed here first and
 * sent along, so the server refuses bytes that changed on the way; `--resume <id>` continues an interrupted upload.
 */
export function register(program: Command): void {
  program
    .command("upload <file>")
    .description("upload a GGUF file to the server's model store and register it (resumable)")
    .option("--name <name>", "model name (default: the file name without .gguf)")
    .option("--resume <id>", "continue the upload with this id (printed when it started)")
    .action(async (file: string, opts: { name?: string; resume?: string }) => {
      const cfg = config();
      if (!cfg.DEPOT_API_KEY) throw new Error("set DEPOT_API_KEY (Settings → API keys) to talk to the server");
      const conn = { baseUrl: cfg.DEPOT_URL.replace(/\/$/, ""), headers: { authorization: `Bearer ${cfg.DEPOT_API_KEY}` } };
      const blob = await openAsBlob(file);
      const state = opts.resume
        ? await uploadStatus(opts.resume, conn)
        : await startUpload({ name: path.basename(file), size: blob.size }, { ...conn, modelName: opts.name, sha256: await sha256Of(file) });
      if (state.size !== blob.size) throw new Error(`upload ${state.id} is of a ${state.size}-byte file, ${file} has ${blob.size} bytes`);
      process.stderr.write(`upload ${state.id} (resume with --resume ${state.id})\n`);
      let shown = -1;
      await sendChunks(state.id, blob, {
        ...conn,
        from: state.offset,
        onProgress: (offset) => {
          const pct = Math.floor((offset / blob.size) * 100);
          if (pct !== shown) process.stderr.write(`\r${pct}% of ${blob.size} bytes`);
          shown = pct;
        },
      });
      process.stderr.write("\nvalidating\n");
      const m = await finishUpload<ModelDetailDto>(state.id, conn);
      console.log(`${m.name} ${m.status} sha256 ${m.files[0]?.sha256 ?? "?"}`);
    });
}
