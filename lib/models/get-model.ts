import { visibleModelsWhere, type AccessUser } from "../access/model-access";
import { inspectGguf } from "../gguf";
import { db } from "../db/prisma";
import { safeJoin } from "../download";
import { redactPaths } from "../queue/redact-paths";
import { listStores } from "../stores/replicas";
import { detectFamily, familyEvidence, type FamilyEvidence } from "./model-family";
import { modelDir } from "../stores/paths";
import { MODEL_INCLUDE, toModelDto, toModelFileDto, type ModelDetailDto } from "./model-dto";
import { ModelError } from "./errors";

/** BigInt (uint64 metadata) is not JSON: numbers when exact, strings otherwise. */
function jsonSafe(v: unknown): unknown {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  return v;
}

/** One model with its files, recent jobs and, for GGUF models, the file's metadata and tensor table. */
export async function getModel(params: { id: string; user: AccessUser }): Promise<ModelDetailDto> {
  const m = await db().model.findFirst({
    where: { AND: [{ id: params.id }, visibleModelsWhere(params.user)] },
    include: {
      ...MODEL_INCLUDE,
      files: { orderBy: { path: "asc" } },
      jobs: { orderBy: { createdAt: "desc" }, take: 10, select: { id: true, queue: true, status: true, error: true, createdAt: true } },
    },
  });
  if (!m) throw new ModelError("not_found", `model ${params.id} not found`);
  const ggufFile = m.format === "gguf" ? m.files.find((f) => f.path.endsWith(".gguf") && f.status !== "corrupt") : undefined;
  let gguf: ModelDetailDto["gguf"] = null;
  let evidence: FamilyEvidence | null = null;
  let ggufError: string | null = null;
  if (ggufFile) {
    const g = await inspectGguf({ file: safeJoin(modelDir(m.directory), ggufFile.path) }).catch((e: Error) => {
      ggufError = redactPaths(e.message);
      return null;
    });
    if (g) {
      evidence = familyEvidence(g);
      gguf = {
        fileType: g.fileType,
        bytes: g.bytes,
        bitsPerWeight: g.bitsPerWeight,
        metadata: Object.fromEntries(
          g.metadata.map((k) => [k.key, k.length === undefined ? jsonSafe(k.value) : { type: `${k.itemType ?? "?"}[${k.length}]`, preview: jsonSafe(k.preview) }]),
        ),
        tensors: g.tensors.map((t) => ({ name: t.name, type: t.type, shape: t.shape, bytes: t.bytes })),
      };
    }
  }
  const dto = toModelDto(m, await listStores());
  return {
    ...dto,
    // The file's own word, read now: it also covers GGUFs made before conversions recorded these.
    family: detectFamily({ evidence, recorded: m.family }),
    contextLength: evidence?.contextLength ?? dto.contextLength,
    directory: m.directory,
    files: m.files.map(toModelFileDto),
    metadata: m.metadataJson ? (JSON.parse(m.metadataJson) as Record<string, unknown>) : null,
    gguf,
    ggufError,
    jobs: m.jobs.map((j) => ({ ...j, createdAt: j.createdAt.toISOString() })),
  };
}
