import { mkdir, mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { convertModel, quantizeGguf, type ConvertProgress } from "../convert";
import { inspectGguf } from "../gguf";
import { modelFile } from "./model-file";
import { db } from "../db/prisma";
import type { ConvertPayload, JobProgress } from "../queue/payloads";
import { heldElsewhere, recordLocalReplica } from "../stores/replicas";
import { jobFailure, ModelError } from "./errors";
import { detectFamily, familyEvidence } from "./model-family";
import { modelDir } from "../stores/paths";
import { recordModelFiles } from "./record-model-files";

/**
 * Llama 2's layout keeps tokenizer.model beside the model folders (Llama 3.x folders carry their own); the converter
 * wants one folder with everything, so a throw-away folder of links is made for it (no bytes copied).
 */
async function metaInput(root: string, folder: string, stageParent: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(stageParent, ".input-"));
  const own = await readdir(path.join(root, folder));
  for (const f of own) await symlink(path.join(root, folder, f), path.join(dir, f));
  if (!own.includes("tokenizer.model")) await symlink(path.join(root, "tokenizer.model"), path.join(dir, "tokenizer.model"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** "llama-2-7b-chat" → "Llama 2 7b Chat" (GGUF general.name, as llama.cpp derives it from a folder name). */
function displayName(name: string): string {
  return name
    .split("/")
    .pop()!
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

/**
 * Converts a downloaded model to GGUF (a checkpoint), or quantizes a GGUF model to another file type, inside the model store (written to a temporary name and renamed, so a
 * crash never leaves a half file under the final name) and registers it: sha256, size, tensor facts. The writer
 * reads the file back as it writes it (lib/convert/output-digest.ts): bytes that differ from what it wrote fail the
 * job with nothing registered, and the same read gives the sha256 that is recorded.
 */
export async function convertToGguf(params: {
  data: ConvertPayload;
  progress: (p: JobProgress) => Promise<void>;
  signal: AbortSignal;
}): Promise<{ modelId: string; name: string; sha256: string; bytes: number }> {
  const { data } = params;
  const [src, out] = await Promise.all([
    db().model.findUnique({ where: { id: data.modelId } }),
    db().model.findUnique({ where: { id: data.outModelId } }),
  ]);
  if (!src || !out) throw new ModelError("not_found", "the source or target model was deleted; start the conversion again");
  const copy = await heldElsewhere(out.id);
  if (!copy) await db().model.update({ where: { id: out.id }, data: { status: "downloading" } });
  const [srcDir, outDir] = [modelDir(src.directory), modelDir(out.directory)];
  await mkdir(outDir, { recursive: true });
  const input = src.format === "meta" ? await metaInput(srcDir, src.name, outDir) : { dir: srcDir, cleanup: async () => {} };
  const fileName = `${out.name}.gguf`;
  const outFile = path.join(outDir, fileName);
  const started = Date.now();
  let last = 0;
  let reported = Promise.resolve(); // reports are chained so the job row never goes backwards
  try {
    const onProgress = (p: ConvertProgress) => {
      const now = Date.now();
      if (now - last < 500 && p.bytesDone < p.bytesTotal) return;
      last = now;
      const speedBps = (p.bytesDone * 1000) / Math.max(1, now - started);
      const report = {
        pct: p.bytesTotal ? (p.bytesDone / p.bytesTotal) * 100 : 0,
        message: `${data.type}: ${p.tensor}`,
        bytesDone: p.bytesDone,
        bytesTotal: p.bytesTotal,
        speedBps,
        etaSeconds: speedBps > 0 ? (p.bytesTotal - p.bytesDone) / speedBps : null,
      };
      reported = reported.then(() => params.progress(report)).catch(() => {});
    };
    const common = { outFile, type: data.type, signal: params.signal, onProgress };
    const r =
      src.format === "gguf"
        ? await quantizeGguf({ ...common, inFile: await modelFile({ directory: src.directory, name: src.name }) })
        : await convertModel({ ...common, inputDir: input.dir, name: displayName(src.name), sourceName: src.name });
    await reported;
    const sha256 = r.sha256; // read back and checked by the writer as it wrote
    const first = copy ? await db().modelFile.findUnique({ where: { modelId_path: { modelId: out.id, path: fileName } } }) : null;
    if (first?.sha256 && first.sha256 !== sha256) {
      await rm(r.outFile, { force: true });
      throw new ModelError("corrupt", `${fileName} converted here has sha256 ${sha256}, the copy on the other workers ${first.sha256}; not kept`);
    }
    const evidence = familyEvidence(await inspectGguf({ file: r.outFile }));
    await db().model.update({
      where: { id: out.id },
      data: { parameterCount: BigInt(r.parameterCount), family: detectFamily({ evidence, recorded: src.family }) },
    });
    // The writer read the file back against what it wrote, so its sha256 is also the expected one.
    const rec = await recordModelFiles({
      modelId: out.id,
      files: [{ path: fileName, bytes: r.bytes, sha256, expectedSha256: sha256, expectedBytes: r.bytes }],
      metadata: { type: data.type, fileType: r.fileType, tensorCount: r.tensorCount, architecture: r.architecture, parameterCount: r.parameterCount, source: src.name, contextLength: evidence.contextLength },
    });
    if (rec.status === "corrupt") throw new ModelError("corrupt", `${fileName}: ${rec.verdicts[0]?.error}`);
    await recordLocalReplica(out.id, r.bytes);
    return { modelId: out.id, name: out.name, sha256, bytes: r.bytes };
  } catch (err) {
    if (!copy) await db().model.update({ where: { id: out.id }, data: { status: "failed" } }).catch(() => {});
    throw jobFailure(err, params.signal);
  } finally {
    await input.cleanup();
  }
}
