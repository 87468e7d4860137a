import { open } from "node:fs/promises";
import { ConvertError } from "../../errors";
import { DTYPE_BYTES, type SourceTensor } from "../types";
import { readZipDirectory, zipEntryDataOffset } from "./read-zip-directory";
import { unpickleStateDict } from "./unpickle-state-dict";

const MAX_PICKLE_BYTES = 64 * 1024 * 1024;

/** Reads a torch.save zip checkpoint's tensor table; tensor bytes stay in the file and are read later by offset. */
export async function readPytorchZip(params: { file: string }): Promise<SourceTensor[]> {
  const { file } = params;
  const fh = await open(file, "r");
  try {
    const entries = await readZipDirectory({ fh, file });
    const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (pickles.length !== 1) {
      throw new ConvertError("invalid_zip", `expected one <name>/data.pkl entry, found ${pickles.length}`, file);
    }
    const prefix = pickles[0]!.slice(0, -"data.pkl".length);
    const byteorder = entries.get(`${prefix}byteorder`);
    if (byteorder) {
      const at = await zipEntryDataOffset({ fh, file, entry: byteorder });
      const b = Buffer.alloc(Math.min(byteorder.size, 16));
      await fh.read(b, 0, b.length, at);
      if (b.toString("ascii") !== "little") throw new ConvertError("invalid_zip", `byte order ${JSON.stringify(b.toString("ascii"))} is not supported`, file);
    }
    const pklEntry = entries.get(pickles[0]!)!;
    if (pklEntry.size > MAX_PICKLE_BYTES) throw new ConvertError("invalid_zip", `data.pkl is ${pklEntry.size} bytes, over the ${MAX_PICKLE_BYTES} cap`, file);
    const pkl = Buffer.alloc(pklEntry.size);
    await fh.read(pkl, 0, pkl.length, await zipEntryDataOffset({ fh, file, entry: pklEntry }));
    const tensors = unpickleStateDict({ data: pkl, file });

    const out: SourceTensor[] = [];
    for (const [name, t] of tensors) {
      const entryName = `${prefix}data/${t.storageKey}`;
      const entry = entries.get(entryName);
      if (!entry) throw new ConvertError("invalid_zip", `tensor ${name}: storage entry ${entryName} is missing`, file);
      const elSize = DTYPE_BYTES[t.dtype];
      const numel = t.shape.reduce((a, b) => a * b, 1);
      if (entry.size < t.storageNumel * elSize || t.storageOffset + numel > t.storageNumel) {
        throw new ConvertError("invalid_zip", `tensor ${name}: storage ${entryName} is smaller than the tensor`, file);
      }
      const start = await zipEntryDataOffset({ fh, file, entry });
      out.push({ name, dtype: t.dtype, shape: t.shape, file, offset: start + t.storageOffset * elSize, bytes: numel * elSize });
    }
    return out;
  } finally {
    await fh.close();
  }
}
