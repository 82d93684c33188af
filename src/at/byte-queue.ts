/**
 * Input held back while a command runs, in arrival order. Bounded like a UART receive
 * buffer: what arrives while it is full is lost.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly limit: number) {}

  get length(): number {
    return this.chunks.length;
  }

  /** Appends arriving bytes; false (and nothing kept) when they would overflow the buffer. */
  push(chunk: Buffer): boolean {
    if (this.bytes + chunk.length > this.limit) return false;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    return true;
  }

  /** Puts back bytes taken but not used; they were counted already, so no limit applies. */
  unshift(chunk: Buffer): void {
    this.chunks.unshift(chunk);
    this.bytes += chunk.length;
  }

  shift(): Buffer | undefined {
    const chunk = this.chunks.shift();
    if (chunk) this.bytes -= chunk.length;
    return chunk;
  }

  clear(): void {
    this.chunks = [];
    this.bytes = 0;
  }
}
