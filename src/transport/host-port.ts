/**
 * The seam between a transport and a module's UART. A transport only moves bytes:
 * it attaches one host, forwards what the host sends to `write`, and passes what
 * the module sends to the `sink` it gave when attaching.
 */
export interface HostAttachment {
  /** Bytes from the host to the module. */
  write(bytes: Buffer): void;
  /** The host went away (socket closed, PTY closed). */
  detach(): void;
}

export interface HostPort {
  /** A short name for logs, e.g. "module 0". */
  readonly label: string;
  /**
   * Attach a host. Each transport is its own wire into the module's UART: output goes to
   * every attached host and input comes from any. A transport that stands for one wire
   * (TCP) admits one host at a time itself.
   */
  attach(sink: (bytes: Buffer) => void): HostAttachment;
}
