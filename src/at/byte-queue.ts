/**
 * Input held back while a command runs, in arrival order. Never drops: the engine asks the
 * host to stop (RTS) when it holds too much (see INPUT_HIGH_WATER in engine.ts). A head index
 * rather than Array.shift keeps many one-byte writes linear.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  private bytes = 0;

  /** Chunks held. */
  get length(): number {
    return this.chunks.length - this.head;
  }

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** Puts back bytes taken but not used, in front. */
  unshift(chunk: Buffer): void {
    if (this.head > 0) this.chunks[--this.head] = chunk;
    else this.chunks.unshift(chunk);
    this.bytes += chunk.length;
  }

  shift(): Buffer | undefined {
    if (this.head >= this.chunks.length) return undefined;
    const chunk = this.chunks[this.head++];
    this.bytes -= chunk.length;
    if (this.head === this.chunks.length) this.clear();
    else if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return chunk;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.bytes = 0;
  }
}
