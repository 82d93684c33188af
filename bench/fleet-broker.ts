/**
 * The fleet bench's broker: Debian's mosquitto on a free port of 127.0.0.1, with no connection
 * limit, its open-files limit raised to the hard limit (each session is a descriptor), logging
 * only errors and warnings (10,000 connection lines would be noise), and a deep queue for the
 * one subscriber so that no delivery is dropped in a burst, and Nagle off. Unlike test/helpers/mosquitto.ts it
 * makes no certificates. Its CPU time is read from /proc for the figures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, MOSQUITTO_PATH } from '../test/helpers/mosquitto.ts';

export const MOSQUITTO = MOSQUITTO_PATH;

export interface FleetBroker {
  port: number;
  pid: number;
  /** Open-files limit the broker runs with. */
  fileLimit: number;
  stop(): Promise<void>;
}

/** The soft and hard open-files limits a shell started from here gets (`ulimit -n`, `-Hn`). */
export function fileLimits(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line ?? '').split(/\s{2,}/).slice(1, 3).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft: soft || 1024, hard: hard || 1024 };
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat; 0 when unreadable. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in ticks of 1/100 s (USER_HZ)
  } catch {
    return 0;
  }
}


function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function startFleetBroker(): Promise<FleetBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'fc41d-fleet-bench-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  const lines = [
    `user ${userInfo().username}`, // as root it would switch to `mosquitto`, which cannot read the temp dir
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'allow_anonymous true',
    'max_queued_messages 1000000',
    `listener ${port} 127.0.0.1`,
    'max_connections -1',
    // Nagle on the broker's side would hold a PUBACK or a delivery behind the previous packet's ACK (tens of ms).
    'set_tcp_nodelay true',
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const limit = fileLimits().hard;
  const raise = Number.isFinite(limit) ? `ulimit -n ${limit} 2>/dev/null; ` : '';
  const child: ChildProcess = spawn('/bin/sh', ['-c', `${raise}exec ${MOSQUITTO} -c ${conf}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Its errors and warnings go to ours, less the one about root (the `user` line above deals with it).
  child.stderr!.on('data', (b: Buffer) => {
    const text = b.toString().replace(/^.*should not be run as root.*\n?/gm, '');
    if (text) process.stderr.write(text);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onExit = () => child.kill('SIGKILL'); // never outlive the bench
  process.once('exit', onExit);
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`mosquitto did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const brokerLimit = readFileSync(`/proc/${child.pid}/limits`, 'utf8').match(/Max open files\s+(\d+)/)?.[1];
  return {
    port,
    pid: child.pid!,
    fileLimit: Number(brokerLimit ?? limit),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
