import { db } from "../db/prisma";
import { MODEL_INCLUDE, toModelDto, type ModelDto } from "./model-dto";

export async function listModels(): Promise<ModelDto[]> {
  const rows = await db().model.findMany({ orderBy: { createdAt: "desc" }, include: MODEL_INCLUDE });
  return rows.map(toModelDto);
}
