import { config } from "../config/env";
import { usableCredential } from "../credentials/credential-access";
import { readCredential } from "../credentials/read-credential";
import { storeCredential } from "../credentials/store-credential";
import { db } from "../db/prisma";
import { removeJob } from "../jobs/job-actions";
import { enqueue } from "../queue/enqueue";
import { storeLane } from "../queue/names";
import { checkStore } from "../stores/placement";
import { copiesTo } from "../stores/replicas";
import { QUANT_TAG } from "../queue/payloads";
import picomatch from "picomatch";
import { checkRepoAccess, ggufUnits, listRepoFiles, quantOf, repoCacheDir, splitPart } from "../sources/hf";
import { familyOfHfRepo } from "../sources/meta";
import { hfHome, storePath } from "../stores/paths";
import { ModelError } from "./errors";

/** `org/name` for the default revision, `org/name@rev` otherwise: one inventory entry per repo revision. */
function hfModelName(repo: string, revision: string): string {
  return revision === "main" ? repo : `${repo}@${revision}`;
}

/**
 * What names a ready-made GGUF pull in the inventory (`org/name:<label>`): the quant tag, or the one GGUF an
 * `--include` names exactly (its quant, else its file stem); null for a checkpoint download.
 */
function ggufLabel(params: { quant?: string; include?: string[] }): string | null {
  if (params.quant) {
    if (!QUANT_TAG.test(params.quant)) throw new ModelError("bad_quant", `not a quant tag: ${JSON.stringify(params.quant)} (e.g. Q4_K_M)`);
    if (params.include?.length) throw new ModelError("bad_selection", "give a quant tag or --include, not both");
    return params.quant.toUpperCase();
  }
  const inc = params.include ?? [];
  if (inc.length !== 1 || !/\.gguf$/i.test(inc[0]!) || /[*?[\]{}]/.test(inc[0]!)) return null;
  const file = inc[0]!;
  return quantOf(file) ?? (splitPart(file)?.stem ?? file.replace(/\.gguf$/i, "")).split("/").pop()!;
}

const isGlob = (p: string) => /[*?[\]{}]/.test(p);

/**
 * A glob `--include` whose matches in the repo are all GGUFs (`*Q8_0*` on a GGUF repo): the first file of each GGUF
 * (or split set) it touches, each pulled like a quant tag as a runnable model. Null for anything else, which stays
 * a checkpoint download of what the globs match.
 */
async function ggufGlobTargets(params: { repo: string; revision: string; include?: string[]; exclude?: string[]; quant?: string; token?: string }): Promise<string[] | null> {
  const inc = params.include ?? [];
  if (params.quant || !inc.some(isGlob)) return null;
  const { files } = await listRepoFiles({ repo: params.repo, revision: params.revision, token: params.token, hubUrl: config().HF_ENDPOINT });
  const include = picomatch(inc, { dot: false });
  const exclude = params.exclude?.length ? picomatch(params.exclude, { dot: false }) : () => false;
  const matched = files.filter((f) => include(f.path) && !exclude(f.path));
  if (matched.length === 0 || !matched.every((f) => /\.gguf$/i.test(f.path))) return null;
  const hit = new Set(matched.map((f) => f.path));
  // A split set runs whole: every part of a set the globs touch comes along.
  const units = ggufUnits(files).filter((u) => u.files.some((f) => hit.has(f.path)));
  const broken = units.find((u) => !u.complete);
  if (broken) throw new ModelError("bad_selection", `${params.repo}: the split set ${broken.stem} misses parts`);
  const firsts = units.map((u) => u.files[0]!.path);
  const labels = firsts.map((f) => ggufLabel({ include: [f] })!);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice) throw new ModelError("bad_selection", `several GGUFs the globs match would be named :${twice} (${firsts.filter((_, i) => labels[i] === twice).join(", ")}); narrow --include`);
  return firsts;
}

/**
 * The Hub's repo id rules: `org/name`, each part of letters, digits, `-`, `_`, `.`, not starting or ending with
 * `-` or `.`, without `--` or `..`, at most 96 characters. This keeps `../..` and the like out before any row exists.
 */
const HUB_PART = /^(?![.-])(?!.*(?:--|\.\.))[\w.-]{1,96}(?<![.-])$/;
export function isHubRepoId(repo: string): boolean {
  const parts = repo.split("/");
  return parts.length === 2 && parts.every((p) => HUB_PART.test(p));
}

/**
 * Starts a Hugging Face download. A pasted token is stored as an encrypted credential first, so the job only
 * carries its id. The same repo and revision always map to one job: submitting again after a failure (say with
 * a token this time, or after a corrupt transfer) replaces the failed job and reuses the model entry.
 */
export async function startHfDownload(params: {
  repo: string;
  revision?: string;
  include?: string[];
  exclude?: string[];
  /** A GGUF quant tag (`repo:Q4_K_M`): that GGUF becomes a runnable gguf model named `repo:Q4_K_M`. */
  quant?: string;
  credentialId?: string;
  token?: string;
  /** The worker store to download to; default: whichever worker takes the job. */
  storeId?: string;
  userId: string;
}): Promise<{ jobId: string; modelId: string; jobs?: { jobId: string; modelId: string; name: string }[] }> {
  if (!isHubRepoId(params.repo)) throw new ModelError("bad_repo", "expected a Hub repo id org/name (letters, digits, -, _, .)");
  const revision = params.revision?.trim() || "main";
  if (params.include?.some(isGlob) && !params.quant) {
    const globbed = await startGgufGlob({ ...params, revision });
    if (globbed) return globbed;
  }
  const gguf = ggufLabel(params);
  const name = gguf ? `${hfModelName(params.repo, revision)}:${gguf}` : hfModelName(params.repo, revision);
  if (params.storeId) await checkStore(params.storeId);
  const target = params.storeId ? `-to-${params.storeId}` : "";
  const jobId = `download-hf-${params.repo.replace("/", "--")}-${revision}${gguf ? `-${gguf}` : ""}${target}`.replace(/[^\w.-]/g, "_");

  let model = await db().model.findUnique({ where: { name } });
  const existing = await db().job.findUnique({ where: { id: jobId } });
  if (existing && ["active", "waiting", "delayed"].includes(existing.status)) {
    throw new ModelError("busy", `${name} is already being downloaded (job ${jobId})`);
  }
  // A model some worker holds can still be downloaded to another worker's store (a copy there).
  const copyTo = model ? await copiesTo(model.id, params.storeId) : false;
  if (model && !["pending", "failed", "corrupt"].includes(model.status) && !copyTo) {
    throw new ModelError("exists", `${name} is already in the inventory${params.storeId ? " on that worker" : ""} (delete it first to download again)`);
  }

  let credentialId = params.credentialId;
  if (!params.token && credentialId) {
    const c = await usableCredential(credentialId, params.userId);
    if (c.kind !== "hf_token") throw new ModelError("wrong_credential", `credential ${credentialId} is not a Hugging Face token`);
  }
  // Refused here, before any row: a repo that does not exist, a gated one this token cannot read, a rejected token.
  const token = params.token ?? (credentialId ? (await readCredential(credentialId)).value : undefined);
  await checkRepoAccess({ repo: params.repo, revision, token, hubUrl: config().HF_ENDPOINT });
  if (params.token) {
    credentialId = (await storeCredential({ kind: "hf_token", label: `Hugging Face token (${params.repo})`, value: params.token, ownerId: params.userId })).id;
  }

  if (existing) {
    // A failed attempt of the same repo: its job id is reused, which BullMQ only accepts once the old job is gone.
    await removeJob(jobId);
  }
  model ??= await db().model.create({
    // Meta's own repos name their family (meta-llama/Llama-3.1-8B-Instruct is Llama 3.1); others stay unknown here.
    data: { name, family: familyOfHfRepo(params.repo) ?? null, source: "hf", format: gguf ? "gguf" : "hf", repo: params.repo, revision, directory: storePath(repoCacheDir(hfHome(), params.repo)), createdById: params.userId },
  });
  if (!copyTo) await db().model.update({ where: { id: model.id }, data: { status: "pending" } });
  await enqueue({
    queue: "download",
    lane: params.storeId ? storeLane(params.storeId) : null,
    jobId,
    userId: params.userId,
    modelId: model.id,
    data: {
      kind: "download",
      source: "hf",
      repo: params.repo,
      revision,
      include: params.include ?? [],
      exclude: params.exclude ?? [],
      ...(params.quant ? { quant: params.quant.toUpperCase() } : {}),
      ...(credentialId ? { credentialId } : {}),
      modelIds: [model.id],
    },
  });
  return { jobId, modelId: model.id };
}

/**
 * `--include` globs that match only GGUFs: one runnable-model download per GGUF (or split set) matched, started as
 * its exact file name would start it. A pasted token is stored once and the downloads share the credential.
 */
async function startGgufGlob(params: Parameters<typeof startHfDownload>[0] & { revision: string }): Promise<{ jobId: string; modelId: string; jobs: { jobId: string; modelId: string; name: string }[] } | null> {
  let credentialId = params.credentialId;
  if (!params.token && credentialId) {
    const c = await usableCredential(credentialId, params.userId);
    if (c.kind !== "hf_token") throw new ModelError("wrong_credential", `credential ${credentialId} is not a Hugging Face token`);
  }
  const token = params.token ?? (credentialId ? (await readCredential(credentialId)).value : undefined);
  const targets = await ggufGlobTargets({ ...params, token });
  if (!targets) return null;
  if (params.token) {
    credentialId = (await storeCredential({ kind: "hf_token", label: `Hugging Face token (${params.repo})`, value: params.token, ownerId: params.userId })).id;
  }
  const jobs: { jobId: string; modelId: string; name: string }[] = [];
  for (const file of targets) {
    const r = await startHfDownload({ ...params, include: [file], exclude: [], token: undefined, credentialId });
    jobs.push({ ...r, name: `${hfModelName(params.repo, params.revision)}:${ggufLabel({ include: [file] })}` });
  }
  return { jobId: jobs[0]!.jobId, modelId: jobs[0]!.modelId, jobs };
}
