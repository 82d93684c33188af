/**
 * The scenario's host: a command line run with `sh -c` in the scenario file's folder, in a process
 * group of its own so that stopping it reaches what the shell started. Its stdout and stderr are
 * kept (the last MAX_LOG bytes) for the result's hostLog.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const MAX_LOG = 1024 * 1024;
/** SIGTERM first; SIGKILL when the host is still there after this long. */
export const KILL_GRACE_MS = 2000;

export interface HostExit {
  /** The exit code, or null when a signal ended it (or it never started). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it could not start (spawn failed). */
  error?: string;
}

/** A host command line's placeholders: `{tcp}` / `{pty}` (module 0), `{tcpN}` / `{ptyN}` (module N). */
export const PLACEHOLDER = /\{(tcp|pty)(\d*)\}/g;

/** `{tcp}` → `127.0.0.1:5555`, `{pty1}` → module 1's PTY path, … */
export function expandPlaceholders(command: string, values: { tcp: string[]; pty: (string | undefined)[] }): string {
  return command.replace(PLACEHOLDER, (whole, kind: 'tcp' | 'pty', digits: string) => {
    const value = values[kind][digits === '' ? 0 : Number(digits)];
    return value === undefined ? whole : shellQuote(value);
  });
}

/** The module indices a host command line names with {tcpN} / {ptyN}. */
export function placeholderModules(command: string): { tcp: Set<number>; pty: Set<number> } {
  const out = { tcp: new Set<number>(), pty: new Set<number>() };
  for (const m of command.matchAll(PLACEHOLDER)) out[m[1] as 'tcp' | 'pty'].add(m[2] === '' ? 0 : Number(m[2]));
  return out;
}

/** Quotes a value for sh only when it needs it (addresses and plain paths stay as they are). */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export class HostProcess {
  /** Settles once the host has exited (or failed to start). */
  readonly exited: Promise<HostExit>;
  private exit: HostExit | null = null;
  private log = '';
  private readonly child: ChildProcess;
  private closed: Promise<void>;

  constructor(command: string, opts: { cwd: string; env?: Record<string, string> }) {
    this.child = spawn('sh', ['-c', command], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: stop() signals the shell and its children
    });
    const keep = (text: string) => {
      this.log += text;
      if (this.log.length > MAX_LOG) this.log = this.log.slice(-MAX_LOG);
    };
    // Decoded per stream, so a character split across two reads stays whole.
    for (const stream of [this.child.stdout, this.child.stderr]) stream?.setEncoding('utf8').on('data', keep);
    this.closed = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve((this.exit ??= { code, signal })));
      this.child.once('error', (e) => {
        this.exit ??= { code: null, signal: null, error: e.message };
        resolve(this.exit);
      });
    });
  }

  /** How it ended, or null while it runs. */
  get status(): HostExit | null {
    return this.exit;
  }

  /** Its stdout and stderr so far. */
  get output(): string {
    return this.log;
  }

  /** Ends it if it still runs: SIGTERM, then SIGKILL after KILL_GRACE_MS; waits for its output to end. */
  async stop(): Promise<HostExit> {
    if (this.exit === null) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), KILL_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    // Whatever the shell left running in its group goes too, so no pipe stays open.
    this.signal('SIGKILL');
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 500).unref())]);
    return this.exit!;
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  }
}

/** `exited with 3`, `killed by SIGTERM`, `could not start: …`. */
export function describeExit(exit: HostExit): string {
  if (exit.error !== undefined) return `could not start: ${exit.error}`;
  if (exit.code !== null) return `exited with ${exit.code}`;
  return `killed by ${exit.signal ?? 'a signal'}`;
}
