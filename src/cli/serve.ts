/**
 * `fc41d serve`: one module on a TCP port and/or a PTY, until SIGINT or SIGTERM.
 * What it prints on stdout is parsed by tests and scripts; keep the lines stable:
 *   fc41d: world <path>
 *   fc41d: module 0 pty <path>
 *   fc41d: module 0 listening on tcp <host>:<port>
 *   fc41d: module 0 woken
 */
import { Fc41dModule } from '../device/module.ts';
import { attachTrace } from '../trace.ts';
import { startPtyTransport } from '../transport/pty.ts';
import { startTcpTransport } from '../transport/tcp.ts';
import { type HostAndPort, readWorld, UsageError } from './options.ts';

export interface ServeOptions {
  tcp?: HostAndPort;
  pty?: string;
  flash?: string;
  world?: string;
  trace?: string;
  pace?: boolean;
}

const say = (text: string) => process.stdout.write(`fc41d: ${text}\n`);

export async function serve(opts: ServeOptions): Promise<void> {
  if (!opts.tcp && !opts.pty) throw new UsageError('serve needs --tcp HOST:PORT or --pty PATH');
  // Parsed now so a bad file fails at start; a later issue validates it and builds the world.
  const world = opts.world === undefined ? undefined : readWorld(opts.world);
  if (world !== undefined) say(`world ${opts.world}`);

  const module = startup(() => new Fc41dModule({ flashPath: opts.flash, paceOutput: opts.pace }));
  const trace = opts.trace === undefined ? null : startup(() => attachTrace(module, opts.trace!));
  const transports: { close(): Promise<void> }[] = [];
  const where: string[] = []; // printed once the signal handlers are in place
  const closeAll = async () => {
    for (const t of transports.reverse()) await t.close().catch(() => {});
    module.powerOff();
    await trace?.close();
  };

  try {
    // With both, the PTY and the TCP host share the UART: output goes to both (host-port.ts).
    if (opts.pty !== undefined) {
      const pty = await startPtyTransport(opts.pty, module);
      transports.push(pty);
      where.push(`${module.label} pty ${pty.path}`);
    }
    if (opts.tcp) {
      const { host, port } = opts.tcp;
      const tcp = await startTcpTransport(host, port, module).catch((e: Error) => {
        throw new UsageError(`cannot listen on tcp ${host}:${port}: ${e.message}`);
      });
      transports.push(tcp);
      const a = tcp.address;
      where.push(`${module.label} listening on tcp ${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`);
    }
  } catch (e) {
    await closeAll();
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }

  // §2.1.10: the host wakes the module from deep sleep with a pin; here it is SIGUSR1.
  // (A listener replaces Node's default use of SIGUSR1, starting the inspector.)
  process.on('SIGUSR1', () => {
    if (module.wake()) say(`${module.label} woken`);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void closeAll().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const text of where) say(text);
}

/** Runs a start-up step; its failure (bad flash file, trace path) is a usage error. */
function startup<T>(step: () => T): T {
  try {
    return step();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
