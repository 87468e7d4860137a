export { readPytorchZip } from "./read-pytorch-zip";
export { readZipDirectory, zipEntryDataOffset, type ZipEntry } from "./read-zip-directory";
export { unpickleStateDict, type PickledTensor } from "./unpickle-state-dict";
