/**
 * The seam between a transport and a module's UART. A transport only moves bytes:
 * it attaches one host, forwards what the host sends to `write`, and passes what
 * the module sends to the `sink` it gave when attaching.
 *
 * Flow control stands for the UART's RTS/CTS lines: the module asks a transport to stop
 * taking bytes from the host (`flow.pause`) while a transparent-mode connection cannot
 * keep up, and a sink returns false while the host is not reading, until the transport
 * calls `drained()`.
 */
export interface HostAttachment {
  /** Bytes from the host to the module. */
  write(bytes: Buffer): void;
  /** After the sink returned false: the host has room again. */
  drained(): void;
  /** The host went away (socket closed, PTY closed). */
  detach(): void;
}

export interface HostFlow {
  pause(): void;
  resume(): void;
}

/** Bytes from the module to the host; false when the host side is backed up. */
export type HostSink = (bytes: Buffer) => boolean | void;

export interface AttachOptions {
  /** Who the host is, e.g. `127.0.0.1:54321`, for the connect/disconnect reports; none for a fixed wire (PTY). */
  peer?: string;
  /** DTR wired to reset: this host's arrival power-cycles the module (it reads a fresh `ready`). */
  reset?: boolean;
}

/** What a module reports about its hosts (module event `host`). */
export interface HostChange {
  event: 'connected' | 'disconnected' | 'refused';
  peer: string;
  /** On connect: bytes of output lost while no host was attached (the held output was full). */
  lost?: number;
}

export interface HostPort {
  /** A short name for logs, e.g. "module 0". */
  readonly label: string;
  /**
   * Attach a host. Each transport is its own wire into the module's UART: output goes to
   * every attached host and input comes from any. A transport that stands for one wire
   * (TCP) admits one host at a time itself.
   */
  attach(sink: HostSink, flow?: HostFlow, opts?: AttachOptions): HostAttachment;
  /** A transport turned a host away (its one wire is taken), for the reports. */
  refused?(peer: string): void;
}
