/**
 * A fixed set of equal slots in one SharedArrayBuffer for chunks in flight: the reader fills a slot, a worker
 * quantizes from one slot into another, the writer and the hashing thread read it in place, then it is released.
 * Nothing is allocated per chunk, so memory stays flat whatever the model size, and waiting for a free slot is the
 * pipeline's back-pressure.
 */
export class SlotPool {
  readonly sab: SharedArrayBuffer;
  private readonly free: number[];
  private readonly waiters: ((slot: number) => void)[] = [];

  constructor(
    readonly slotBytes: number,
    count: number,
  ) {
    this.sab = new SharedArrayBuffer(slotBytes * count);
    this.free = Array.from({ length: count }, (_, i) => i);
  }

  /** A view of the first `length` bytes of a free slot, waiting for one if all are in use. */
  async acquire(length: number): Promise<Uint8Array> {
    if (length > this.slotBytes) throw new RangeError(`chunk of ${length} bytes exceeds the ${this.slotBytes}-byte slot`);
    const slot = this.free.pop() ?? (await new Promise<number>((resolve) => this.waiters.push(resolve)));
    return new Uint8Array(this.sab, slot * this.slotBytes, length);
  }

  owns(view: Uint8Array): boolean {
    return view.buffer === this.sab;
  }

  release(view: Uint8Array): void {
    const slot = view.byteOffset / this.slotBytes;
    const waiter = this.waiters.shift();
    if (waiter) waiter(slot);
    else this.free.push(slot);
  }
}
