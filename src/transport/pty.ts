/**
 * PTY transport: exposes the module as a raw serial device at a stable path (a
 * symlink to a pty slave) that serial tools and MCU host builds can open, close
 * and reopen as often as they like.
 *
 * The pty is bridged by a child process whose stdin/stdout carry the bytes:
 * `socat` when it is on PATH, else `pty-relay.py` (python3). Both keep their own
 * slave fd open, so a host closing the device never hangs up the bridge (checked
 * with socat 1.7.4: it holds the slave fd and survives any number of reopens).
 *
 * Attach semantics: the pty is the wire, so the transport attaches to the module
 * once at start and stays attached for its lifetime; hosts opening and closing
 * the device are not visible as attach/detach (the module is already up, as a
 * powered module is before the MCU opens its UART).
 *
 * Output while no host has the device open: the bridge cannot tell whether a host
 * has the slave open, so it keeps writing; the kernel queues the bytes in the pty
 * and the next opener reads them, like a receive FIFO that was never drained. Hosts
 * that care flush on open (tcflush). Once the pty queue is full the bridge stops
 * reading its stdin; past the stdin pipe we queue what the module still sends and,
 * beyond MAX_PENDING, tell it the host is backed up (the sink returns false), so its
 * services stop reading their sockets: nothing is dropped, the peers are pushed back.
 * A PTY cannot see hosts open or close the device through the bridge, so there are no
 * connect reports and no reset-on-connect here.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants, promises as fsp } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { HostAttachment, HostPort } from './host-port.ts';

export interface PtyTransport {
  /** The stable device path (a symlink to the pty slave). */
  readonly path: string;
  readonly backend: 'socat' | 'python';
  /** Settles once the bridge process has exited (closed or crashed) and the symlink is gone. */
  readonly exited: Promise<void>;
  /** Stops the bridge and removes the symlink. Idempotent. */
  close(): Promise<void>;
}

const RELAY = fileURLToPath(new URL('./pty-relay.py', import.meta.url));
const MAX_PENDING = 64 * 1024;
const READY_TIMEOUT_MS = 5000;
const KILL_GRACE_MS = 2000;
/** Characters socat's address parser would misread inside `link=`. */
const SOCAT_UNSAFE = /[,!'"\\{}\[\]()]/;

export async function startPtyTransport(
  path: string,
  port: HostPort,
  opts: { forcePython?: boolean } = {},
): Promise<PtyTransport> {
  const backend = !opts.forcePython && (await onPath('socat')) ? 'socat' : 'python';
  if (backend === 'socat' && SOCAT_UNSAFE.test(path)) {
    throw new Error(`pty path ${JSON.stringify(path)} has characters socat cannot take in link=`);
  }
  await removeStaleLink(path);

  const child: ChildProcessWithoutNullStreams =
    backend === 'socat'
      ? spawn('socat', ['-d', '-d', `PTY,link=${path},rawer,echo=0`, 'STDIO'])
      : spawn('python3', [RELAY, path]);
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4096)));
  child.stdin.on('error', () => {}); // EPIPE once the child is gone; 'close' handles that
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const attachment: HostAttachment = port.attach(
    // Always queued (never dropped); backed up past MAX_PENDING, until the pipe drains.
    (bytes) => child.stdin.write(bytes) && child.stdin.writableLength <= MAX_PENDING,
    { pause: () => child.stdout.pause(), resume: () => child.stdout.resume() },
  );
  child.stdout.on('data', (b: Buffer) => attachment.write(b));
  child.stdin.on('drain', () => attachment.drained());

  let quiet = true; // no exit report until started, nor once closing
  const done = exited.then(async () => {
    attachment.detach();
    await removeStaleLink(path).catch(() => {});
    if (!quiet) console.error(`pty ${path}: ${backend} bridge exited (${child.exitCode ?? child.signalCode}) ${stderr.trim()}`);
  });

  const close = async (): Promise<void> => {
    quiet = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    await done;
  };

  try {
    await waitUntilOpenable(path, () => spawnError ?? (child.exitCode ?? child.signalCode) !== null);
  } catch (e) {
    await close();
    const why = spawnError?.message ?? (e as Error).message;
    throw new Error(`pty ${path}: ${backend} bridge did not start: ${why} ${stderr.trim()}`.trim());
  }
  quiet = false;
  return { path, backend, exited: done, close };
}

/** Resolves once `path` exists and opens as a device; throws if `dead()` turns true first. */
async function waitUntilOpenable(path: string, dead: () => unknown): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (dead()) throw new Error('bridge process exited');
    try {
      // O_NOCTTY: never make the device our controlling terminal.
      const fh = await fsp.open(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
      await fh.close();
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${READY_TIMEOUT_MS} ms`);
    await sleep(10);
  }
}

/** Removes `path` if it is a symlink (ours, or left by a crashed run); refuses to clobber anything else. */
async function removeStaleLink(path: string): Promise<void> {
  const st = await fsp.lstat(path).catch(() => null);
  if (!st) return;
  if (!st.isSymbolicLink()) throw new Error(`pty path ${path} exists and is not a symlink`);
  await fsp.unlink(path).catch(() => {});
}

async function onPath(cmd: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const ok = await fsp.access(join(dir, cmd), constants.X_OK).then(() => true, () => false);
    if (ok) return true;
  }
  return false;
}
