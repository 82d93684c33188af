/**
 * `fc41d serve`: N modules (`--count`, default 1) in one world, each on its own TCP port
 * and/or PTY, until SIGINT or SIGTERM. Modules are built in modules.ts.
 * What it prints on stdout is parsed by tests and scripts; keep the lines stable:
 *   fc41d: world <path>                      or  fc41d: world (embedded default)
 *   fc41d: world has <n> access points
 *   fc41d: broker broker.fc41d.local:1883 mqtt on 127.0.0.1:<port>       (src/world/broker.ts)
 *   fc41d: broker broker.fc41d.local:8883 mqtts on 127.0.0.1:<port> (test CA: fc41d ca)
 *   fc41d: broker off (--no-broker)             or  fc41d: broker broker.fc41d.local is the world file's (no built-in broker)
 *   fc41d: httpbin httpbin.fc41d.local:80 http on 127.0.0.1:<port>      (src/world/httpbin.ts)
 *   fc41d: httpbin httpbin.fc41d.local:443 https on 127.0.0.1:<port> (test CA: fc41d ca)
 *   fc41d: httpbin off (--no-httpbin)           or  fc41d: httpbin httpbin.fc41d.local is the world file's (no built-in httpbin)
 *   fc41d: module <i> pty <path>
 *   fc41d: module <i> listening on tcp <host>:<port>
 *   fc41d: module <i> webcfg http://127.0.0.1:<port>/
 *   fc41d: module <i> webcfg stopped
 *   fc41d: module <i> woken
 *   fc41d: control http://<host>:<port>/          (--control: the control API and dashboard, docs/control.md)
 * On stderr, hosts coming and going on a module's TCP port:
 *   fc41d: module <i> host connected from <host>:<port>[ (<n> bytes of output were lost while no host was connected)]
 *   fc41d: module <i> host disconnected from <host>:<port>
 *   fc41d: module <i> host refused from <host>:<port> (another host is connected)
 * and trouble that does not stop the process:
 *   fc41d: module <i> webcfg failed: <why>      (AT+QWEBCFG's page cannot start, e.g. port taken)
 *   fc41d: module <i> fault: <error>            (an emulator bug; the command answered ERROR)
 *   fc41d: check: <violation>                   (--check: the host driver misused the AT protocol; docs/checker.md)
 *   fc41d: internal error, kept running: <error>
 */
import type { Fc41dModule } from '../device/module.ts';
import type { HostChange } from '../transport/host-port.ts';
import { startPtyTransport } from '../transport/pty.ts';
import { startTcpTransport } from '../transport/tcp.ts';
import { buildModules, perModulePath, perModulePort } from './modules.ts';
import { wifi } from '../wifi/feature.ts';
import { describeBroker, startWorldBroker, type WorldBroker } from '../world/broker.ts';
import { describeHttpbin, type Httpbin, startWorldHttpbin } from '../world/httpbin.ts';
import { type HostAndPort, UsageError } from './options.ts';
import { checkControlOptions, type ControlOptions, startControl } from './control.ts';
import type { ControlServer } from '../control/server.ts';

export interface ServeOptions extends ControlOptions {
  tcp?: HostAndPort;
  pty?: string;
  flash?: string;
  world?: string;
  trace?: string;
  pace?: boolean;
  /** How many modules (1–16); module i gets TCP port PORT+i, PTY `PATH-i`, flash `PATH-i`. */
  count?: number;
  /** Base port of the provisioning pages (module i: PORT+i); 0 = any free port. */
  webcfgPort?: number;
  /** `--ble-config-uuids`: Wi-Fi configuration over BLE's service, write and notify UUIDs. */
  bleConfigUuids?: { service: string; write: string; notify: string };
  /** Every new TCP host power-cycles the module (DTR reset); TCP only, a PTY cannot see opens. */
  resetOnConnect?: boolean;
  /** The echo setting saved in flash at start (modules.ts). */
  echo?: boolean;
  /** false (`--no-broker`): no built-in MQTT broker at broker.fc41d.local (src/world/broker.ts). */
  broker?: boolean;
  /** false (`--no-httpbin`): no built-in HTTP(S) test service at httpbin.fc41d.local (src/world/httpbin.ts). */
  httpbin?: boolean;
  /** Watch each host driver (src/checker/): print violations; `strict` also exits 4 at shutdown if there were any. */
  check?: 'warn' | 'strict';
}

/** The exit status of `--check strict` when the host broke a rule (as `fc41d test`'s). */
const EXIT_CHECK = 4;

const say = (text: string) => process.stdout.write(`fc41d: ${text}\n`);
const warn = (text: string) => process.stderr.write(`fc41d: ${text}\n`);

/** The stderr line for a host report. */
export function describeHost(label: string, change: HostChange): string {
  switch (change.event) {
    case 'connected': {
      const lost = change.lost ? ` (${change.lost} bytes of output were lost while no host was connected)` : '';
      return `${label} host connected from ${change.peer}${lost}`;
    }
    case 'disconnected':
      return `${label} host disconnected from ${change.peer}`;
    case 'refused':
      return `${label} host refused from ${change.peer} (another host is connected)`;
  }
}

export async function serve(opts: ServeOptions): Promise<void> {
  if (!opts.tcp && !opts.pty) throw new UsageError('serve needs --tcp HOST:PORT or --pty PATH');
  if (opts.resetOnConnect && !opts.tcp) {
    throw new UsageError('--reset-on-connect needs --tcp: a PTY cannot see hosts open it');
  }
  const count = opts.count ?? 1;
  checkPortRange('--tcp', opts.tcp?.port ?? 0, count);
  checkPortRange('--webcfg-port', opts.webcfgPort ?? 0, count);
  checkControlOptions(opts);

  const set = buildModules({ ...opts, count, keepTrace: opts.control !== undefined });
  const { modules } = set;
  const aps = set.world.accessPoints().length;
  say(`world ${set.worldSource}`);
  say(`world has ${aps} access point${aps === 1 ? '' : 's'}`);
  const peers = set.world.ble.peers().length;
  if (peers > 0) say(`world has ${peers} BLE peer${peers === 1 ? '' : 's'}`);
  for (const module of modules) {
    module.service(wifi).on('webcfg', (url) => say(`${module.label} webcfg ${url ?? 'stopped'}`));
    module.on('host', (change) => warn(describeHost(module.label, change)));
    module.service(wifi).on('webcfgError', (why) => warn(`${module.label} webcfg failed: ${why}`));
    module.on('fault', (error) => warn(`${module.label} fault: ${describeError(error)}`));
  }
  set.world.on('fault', (error) => warn(`world fault: ${describeError(error)}`));
  // Loaded when asked for: serve's start-up (bench/startup.ts) skips the checker.
  const checker = opts.check ? await import('../checker/index.ts') : null;
  const checks = checker ? checker.watchModules(modules, (v) => warn(`check: ${checker.formatViolation(v)}`)) : null;
  // The last guard: a bug that escaped every module's own (background.ts) is reported, and the
  // other modules of --count N keep running rather than dying with it.
  process.on('unhandledRejection', (error) => warn(`internal error, kept running: ${describeError(error)}`));
  process.on('uncaughtException', (error) => warn(`internal error, kept running: ${describeError(error)}`));

  const transports: { close(): Promise<void> }[] = [];
  const where: string[] = []; // printed once the signal handlers are in place
  let broker: WorldBroker | null = null;
  let httpbin: Httpbin | null = null;
  let control: ControlServer | null = null;
  const closeAll = async () => {
    await control?.close().catch(() => {});
    for (const t of transports.reverse()) await t.close().catch(() => {});
    await set.close();
    await broker?.close().catch(() => {});
    await httpbin?.close().catch(() => {});
  };
  try {
    // Before the transports: a module is reachable only once the name leads somewhere.
    if (opts.broker !== false) broker = await startWorldBroker(set.world);
    where.push(...describeBroker(broker, opts.broker === false));
    if (opts.httpbin !== false) httpbin = await startWorldHttpbin(set.world);
    where.push(...describeHttpbin(httpbin, opts.httpbin === false));
    for (const [i, module] of modules.entries()) where.push(...(await startTransports(opts, module, i, count, transports)));
    control = await startControl(set, opts);
    if (control) where.push(`control ${control.url}`);
  } catch (e) {
    await closeAll();
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }

  // §2.1.10: the host wakes the module from deep sleep with a pin; here it is SIGUSR1, for
  // every sleeping module. (A listener replaces Node's default use of SIGUSR1, the inspector.)
  process.on('SIGUSR1', () => {
    for (const module of modules) if (module.wake()) say(`${module.label} woken`);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const violations = checks?.finish() ?? 0; // before closing: the end-of-run rules need the modules as they are
    void closeAll().finally(() => process.exit(opts.check === 'strict' && violations > 0 ? EXIT_CHECK : 0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const text of where) say(text);
}

/** Module i's PTY and TCP port; pushes them to `transports` and returns the lines to print. */
async function startTransports(
  opts: ServeOptions,
  module: Fc41dModule,
  i: number,
  count: number,
  transports: { close(): Promise<void> }[],
): Promise<string[]> {
  const where: string[] = [];
  // With both, the PTY and the TCP host share the UART: output goes to both (host-port.ts).
  if (opts.pty !== undefined) {
    const pty = await startPtyTransport(perModulePath(opts.pty, i, count), module);
    transports.push(pty);
    where.push(`${module.label} pty ${pty.path}`);
  }
  if (opts.tcp) {
    const host = opts.tcp.host;
    const port = perModulePort(opts.tcp.port, i);
    const tcp = await startTcpTransport(host, port, module, { resetOnConnect: opts.resetOnConnect }).catch((e: Error) => {
      throw new UsageError(`cannot listen on tcp ${host}:${port}: ${e.message}`);
    });
    transports.push(tcp);
    const a = tcp.address;
    where.push(`${module.label} listening on tcp ${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`);
  }
  return where;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Module i uses BASE+i: the last one must still be a port. */
function checkPortRange(option: string, base: number, count: number): void {
  if (base !== 0 && base + count - 1 > 65535) {
    throw new UsageError(`${option}: ${count} modules need ports ${base}–${base + count - 1}, beyond 65535`);
  }
}
