/**
 * `--control [HOST:]PORT [--control-token T]` of `serve` and `console`: the control API
 * (src/control/, docs/control.md) over one process's modules. Loopback by default; another
 * address without a token is refused before anything starts (exit 2).
 */
import { isLoopbackHost } from '../control/security.ts';
import type { ControlServer } from '../control/server.ts';
import { type HostAndPort, parseHostPort, parseIntIn, UsageError } from './options.ts';
import type { ModuleSet } from './modules.ts';

export interface ControlOptions {
  control?: HostAndPort;
  controlToken?: string;
}

/** `PORT` (on 127.0.0.1) or `HOST:PORT`; port 0 picks a free one. */
export function parseControlAddress(value: string): HostAndPort {
  if (/^\d+$/.test(value.trim())) return { host: '127.0.0.1', port: parseIntIn(value, 0, 65535) };
  return parseHostPort(value);
}

/** Refuses what must not start: a token without --control, a non-loopback address without a token. */
export function checkControlOptions(opts: ControlOptions): void {
  if (opts.controlToken !== undefined && !opts.control) throw new UsageError('--control-token needs --control HOST:PORT');
  if (opts.controlToken !== undefined && opts.controlToken.trim().length < 8) throw new UsageError('--control-token: use at least 8 characters');
  if (opts.control && !isLoopbackHost(opts.control.host) && opts.controlToken === undefined) {
    throw new UsageError(`--control ${opts.control.host}: an address other than loopback needs --control-token TOKEN (anyone who can reach it could drive the emulator)`);
  }
}

/** Starts the control server over the set's modules, or nothing without --control. */
export async function startControl(set: ModuleSet, opts: ControlOptions): Promise<ControlServer | null> {
  if (!opts.control) return null;
  const { host, port } = opts.control;
  // Loaded when used: a plain `serve` (its start-up is timed, bench/startup.ts) skips ws and the routes.
  const { startControlServer } = await import('../control/server.ts');
  return startControlServer({ modules: set.modules, world: set.world, trace: set.trace }, { host, port, token: opts.controlToken }).catch((e: Error) => {
    throw new UsageError(`cannot listen for control on ${host}:${port}: ${e.message}`);
  });
}
