import type { Command } from "commander";
import type { ModelDto } from "../../lib/models/model-dto";
import { serverApi } from "../client";

/** Finds a model by exact name or id (names of Hugging Face models contain `/`, so they cannot be a URL path). */
export async function findModel(ref: string): Promise<ModelDto> {
  const { models } = await serverApi<{ models: ModelDto[] }>("/api/models");
  const m = models.find((x) => x.id === ref || x.name === ref);
  if (!m) throw new Error(`no model named ${ref}; see \`depot models\``);
  return m;
}

/** `depot rm <model>`: admin only, frees its disk space. */
export function register(program: Command): void {
  program
    .command("rm <model>")
    .description("delete a model and its files (admin)")
    .action(async (ref: string) => {
      const m = await findModel(ref);
      const r = await serverApi<{ name: string; bytesFreed: number }>(`/api/models/${m.id}`, { method: "DELETE" });
      console.log(`deleted ${r.name}: ${(r.bytesFreed / 1024 ** 2).toFixed(1)} MiB freed`);
    });
}
