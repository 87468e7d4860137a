import type { FileHandle } from "node:fs/promises";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, ggmlPad, ggmlTypeBytes, type GgmlType } from "./constants";
import { ByteSink, encodeValue } from "./encode-value";
import type { GgufTensorInfo, GgufValue } from "./types";

/** File order, as gguf-py's WriterState: each write_* step requires the one before it. */
export enum WriterState {
  Empty = "EMPTY",
  Header = "HEADER",
  KvData = "KV_DATA",
  TiData = "TI_DATA",
  Weights = "WEIGHTS",
  Closed = "CLOSED",
}

/**
 * Streaming GGUF v3 writer. KV pairs and tensor infos are collected first (they are small); tensor data is then
 * written in the declared order, chunk by chunk, so a model is never held in memory.
 */
export class GgufWriter {
  private state = WriterState.Empty;
  private readonly kv = new Map<string, GgufValue>();
  private readonly tensors: GgufTensorInfo[] = [];
  private readonly tensorNames = new Set<string>();
  private dataBytes = 0;
  private current = 0;
  private currentWritten = 0;
  private position = 0;

  /**
   * `onWritten` sees every byte once it is written, in file order (writes are strictly sequential), and may apply
   * back-pressure by returning a promise; after it is called the writer no longer touches the chunk.
   */
  constructor(
    private readonly fh: FileHandle,
    private readonly options: { alignment?: number; onWritten?: (chunk: Uint8Array) => void | Promise<void> } = {},
  ) {
    this.alignment = options.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  }

  private readonly alignment: number;

  get writerState(): WriterState {
    return this.state;
  }

  /** Total bytes of the file once every tensor is written. */
  get plannedSize(): number {
    return (this.dataStart ?? this.headerSize()) + this.dataBytes;
  }

  /** Where tensor data starts, once the tensor infos are written (the header is not encoded again to know it). */
  private dataStart: number | null = null;

  private expectState(...allowed: WriterState[]): void {
    if (!allowed.includes(this.state)) {
      throw new Error(`GGUF writer: expected state ${allowed.join(" or ")}, got ${this.state}`);
    }
  }

  addKv(key: string, value: GgufValue): void {
    this.expectState(WriterState.Empty);
    if (this.kv.has(key)) throw new Error(`GGUF writer: duplicate key ${key}`);
    this.kv.set(key, value);
  }

  /** Declares a tensor; `shape` is in GGML order (ne0 first). Returns its byte size. */
  addTensorInfo(name: string, shape: readonly number[], type: GgmlType): number {
    this.expectState(WriterState.Empty);
    if (this.tensorNames.has(name)) throw new Error(`GGUF writer: duplicate tensor ${name}`);
    const bytes = ggmlTypeBytes(type, shape.reduce((a, b) => a * b, 1));
    this.tensorNames.add(name);
    this.tensors.push({ name, shape: [...shape], type, bytes, offset: this.dataBytes });
    this.dataBytes += ggmlPad(bytes, this.alignment);
    return bytes;
  }

  private headerSize(): number {
    const sink = new ByteSink();
    this.encodeHeader(sink);
    this.encodeKv(sink);
    this.encodeTensorInfo(sink);
    return ggmlPad(sink.length, this.alignment);
  }

  private encodeHeader(sink: ByteSink): void {
    sink.u32(GGUF_MAGIC);
    sink.u32(GGUF_VERSION);
    sink.u64(this.tensors.length);
    sink.u64(this.kv.size);
  }

  private encodeKv(sink: ByteSink): void {
    for (const [key, value] of this.kv) {
      sink.string(key);
      encodeValue(sink, value);
    }
  }

  private encodeTensorInfo(sink: ByteSink): void {
    for (const t of this.tensors) {
      sink.string(t.name);
      sink.u32(t.shape.length);
      for (const d of t.shape) sink.u64(d);
      sink.u32(t.type);
      sink.u64(t.offset);
    }
  }

  private async put(buf: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
    await this.options.onWritten?.(buf);
  }

  async writeHeader(): Promise<void> {
    this.expectState(WriterState.Empty);
    const sink = new ByteSink();
    this.encodeHeader(sink);
    await this.put(sink.take());
    this.state = WriterState.Header;
  }

  async writeKvData(): Promise<void> {
    this.expectState(WriterState.Header);
    const sink = new ByteSink();
    this.encodeKv(sink);
    await this.put(sink.take());
    this.state = WriterState.KvData;
  }

  /** Writes the tensor infos and pads to the alignment, so the data section can start. */
  async writeTensorInfo(): Promise<void> {
    this.expectState(WriterState.KvData);
    const sink = new ByteSink();
    this.encodeTensorInfo(sink);
    sink.zeros(ggmlPad(this.position + sink.length, this.alignment) - this.position - sink.length);
    await this.put(sink.take());
    this.dataStart = this.position;
    this.state = WriterState.TiData;
  }

  /** Appends bytes of the current tensor; a tensor may arrive in any number of chunks, in declaration order. */
  async writeTensorData(name: string, chunk: Uint8Array): Promise<void> {
    this.expectState(WriterState.TiData, WriterState.Weights);
    this.state = WriterState.Weights;
    const t = this.tensors[this.current];
    if (!t || t.name !== name) throw new Error(`GGUF writer: expected data for ${t?.name ?? "no tensor"}, got ${name}`);
    const length = chunk.length; // read first: `onWritten` may hand the chunk to another thread
    if (this.currentWritten + length > t.bytes) throw new Error(`GGUF writer: too many bytes for ${name}`);
    await this.put(chunk);
    this.currentWritten += length;
    if (this.currentWritten === t.bytes) {
      const pad = ggmlPad(t.bytes, this.alignment) - t.bytes;
      if (pad > 0) await this.put(new Uint8Array(pad));
      this.current++;
      this.currentWritten = 0;
    }
  }

  /**
   * Where each tensor's data goes: absolute file offset, size and alignment padding after it. For callers that write
   * tensor data themselves, in parallel at these positions, instead of through `writeTensorData`; they then call
   * `tensorDataWritten`. Available once the tensor infos are written.
   */
  tensorPlacements(): { name: string; offset: number; bytes: number; pad: number }[] {
    this.expectState(WriterState.TiData);
    const start = this.dataStart!;
    return this.tensors.map((t) => ({ name: t.name, offset: start + t.offset, bytes: t.bytes, pad: ggmlPad(t.bytes, this.alignment) - t.bytes }));
  }

  /** Records that the caller wrote every tensor's data and padding at `tensorPlacements()`, so `finish` may follow. */
  tensorDataWritten(): void {
    this.expectState(WriterState.TiData);
    this.position = this.plannedSize;
    this.current = this.tensors.length;
    this.state = WriterState.Weights;
  }

  /** Checks every declared tensor was written in full and, unless `sync` is false, flushes to disk; the caller closes the handle. */
  async finish(options: { sync?: boolean } = {}): Promise<void> {
    if (this.tensors.length > 0) this.expectState(WriterState.Weights);
    else this.expectState(WriterState.TiData, WriterState.Weights);
    if (this.current !== this.tensors.length) {
      throw new Error(`GGUF writer: ${this.tensors.length - this.current} tensor(s) not written`);
    }
    if (options.sync ?? true) await this.fh.sync();
    this.state = WriterState.Closed;
  }
}
