/**
 * A TCP client connection (AT+QIOPEN "TCP"): a real `net.connect` with Nagle off, bounded by
 * the handshake timeout (120 s on the FC41D, §2.3.2). A non-zero local port is bound if the
 * host has it free; otherwise the connection still goes out from an ephemeral port.
 */
import net from 'node:net';
import type { Clock } from '../clock.ts';
import { describeError } from './link.ts';
import { portUnavailable } from './ports.ts';

export const HANDSHAKE_TIMEOUT_MS = 120_000;

/** The seam tests may replace (it must behave like `net.connect`). */
export type ConnectFn = (options: net.TcpNetConnectOpts) => net.Socket;

export interface ConnectOptions {
  address: string;
  port: number;
  /** 0: ephemeral. */
  localPort: number;
  timeoutMs: number;
  clock: Clock;
  connect?: ConnectFn;
}

/** `cause`: the Node error (ECONNREFUSED, …); none for a timeout or a cancel. */
export type ConnectOutcome = { ok: true; socket: net.Socket } | { ok: false; detail: string; cause?: unknown };

export interface Connecting {
  readonly outcome: Promise<ConnectOutcome>;
  /** Abandons the attempt (the socket is destroyed); the outcome is a failure. */
  cancel(reason: string): void;
}

export function connectTcp(options: ConnectOptions): Connecting {
  const connect = options.connect ?? ((o: net.TcpNetConnectOpts) => net.connect(o));
  const target = `${options.address}:${options.port}`;
  let socket: net.Socket | null = null;
  /** The local port of the attempt under way (0 after falling back to an ephemeral one). */
  let attemptLocal = options.localPort;
  let settle: (outcome: ConnectOutcome) => void = () => {};
  let done = false;
  const outcome = new Promise<ConnectOutcome>((resolve) => (settle = resolve));

  const finish = (result: ConnectOutcome): void => {
    if (done) return;
    done = true;
    options.clock.clearTimeout(timer);
    if (socket) {
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      if (!result.ok) {
        socket.on('error', () => {});
        socket.destroy();
      }
    }
    settle(result);
  };
  const onConnect = (): void => {
    const s = socket!;
    // Until the link takes the socket over, an error must not go unhandled.
    s.on('error', () => {});
    s.setNoDelay(true);
    finish({ ok: true, socket: s });
  };
  const onError = (error: unknown): void => {
    if (attemptLocal !== 0 && portUnavailable(error)) {
      // The local port is taken: connect again from an ephemeral one.
      const failed = socket!;
      failed.removeListener('connect', onConnect);
      failed.removeListener('error', onError);
      failed.on('error', () => {});
      failed.destroy();
      attempt(0);
      return;
    }
    finish({ ok: false, detail: `${describeError(error)} (${target})`, cause: error });
  };
  const attempt = (localPort: number): void => {
    attemptLocal = localPort;
    try {
      socket = connect({ host: options.address, port: options.port, family: 4, noDelay: true, ...(localPort ? { localPort } : {}) });
    } catch (error) {
      finish({ ok: false, detail: `${describeError(error)} (${target})`, cause: error });
      return;
    }
    socket.once('connect', onConnect);
    socket.on('error', onError);
  };

  const timer = options.clock.setTimeout(
    () => finish({ ok: false, detail: `handshake timeout after ${options.timeoutMs} ms (${target})` }),
    options.timeoutMs,
  );
  attempt(options.localPort);
  return { outcome, cancel: (reason) => finish({ ok: false, detail: reason }) };
}
