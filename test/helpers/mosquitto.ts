/**
 * Debian's mosquitto (2.x) for interoperability tests: a broker of its own per call, on free
 * ports of 127.0.0.1, with what a test asks for — a password file, a TLS listener (the SSL tests'
 * CA and server certificate, test/ssl/certs.ts, made with the openssl CLI), a client certificate
 * required on it — started, waited for, and stopped, paused or killed on demand.
 *
 *   describe('…', { skip: mosquittoSkipReason() }, () => { const b = await startMosquitto({ … }) })
 *
 * Without mosquitto, tests skip locally; under CI (process.env.CI set) they run and fail saying
 * what to install (.ci/run installs it).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pki, type TestPki } from '../ssl/certs.ts';

export const MOSQUITTO_PATH = '/usr/sbin/mosquitto';
const PASSWD_TOOL = '/usr/bin/mosquitto_passwd';
const MISSING = `${MOSQUITTO_PATH} not found: install it with \`apt-get install -y mosquitto\``;
const START_MS = 10_000;

export interface MosquittoOptions {
  /** user → password: a password file, and anonymous clients refused (CONNACK 5) on every listener. */
  users?: Record<string, string>;
  /** Adds a TLS listener with the test PKI's server certificate (SAN localhost, 127.0.0.1). */
  tls?: boolean;
  /** On the TLS listener: a client certificate signed by the test CA is required. */
  requireCertificate?: boolean;
  /** Writes the password file in mosquitto's hash format here instead of with mosquitto_passwd. */
  writePasswordsItself?: boolean;
}

export interface Mosquitto {
  /** The plain MQTT listener's port (127.0.0.1). */
  readonly port: number;
  /** The TLS listener's port, when `tls` was asked for. */
  readonly tlsPort?: number;
  /** The CA that signed the server (and client) certificate, and the client certificate. */
  readonly pki: TestPki;
  readonly process: ChildProcess;
  /** What mosquitto logged (everything, on stderr). */
  log(): string;
  /** SIGTERM, and waits for it to exit (clients see the connection close). */
  stop(): Promise<void>;
  /** SIGKILL: the broker dies mid-session, as in a crash. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a broker that stops answering (PINGREQ, CONNECT) with its sockets open. */
  pause(): void;
  resume(): void;
}

/** Why mosquitto tests cannot run here, for `{ skip }`; undefined under CI, where they must run. */
export function mosquittoSkipReason(): string | undefined {
  if (hasMosquitto() || process.env.CI) return undefined;
  return MISSING;
}

function hasMosquitto(): boolean {
  return executable(MOSQUITTO_PATH);
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A line of mosquitto's password file for `user`: `$6$` (SHA-512 of password then salt), which 2.x reads. */
export function passwordLine(user: string, password: string): string {
  const salt = randomBytes(12);
  const hash = createHash('sha512').update(password).update(salt).digest();
  return `${user}:$6$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Starts a mosquitto; resolves once it runs and accepts connections on every listener. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!hasMosquitto()) throw new Error(`${MISSING}${process.env.CI ? ' (mosquitto tests cannot be skipped under CI)' : ''}`);
  // A port found free can be taken before mosquitto binds it: then try again with others.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (e) {
      if (attempt >= 3 || !/Address already in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function startOnce(options: MosquittoOptions): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'fc41d-mosquitto-'));
  const certs = pki();
  const port = await freePort();
  const tlsPort = options.tls || options.requireCertificate ? await freePort() : undefined;
  const lines = [
    // As root mosquitto would switch to the user `mosquitto`, which cannot read our temp dir.
    `user ${userInfo().username}`,
    'persistence false',
    'log_dest stderr',
    'log_type all',
    'connection_messages true',
    `allow_anonymous ${options.users ? 'false' : 'true'}`,
  ];
  if (options.users) {
    const file = join(dir, 'passwd');
    writePasswords(file, options.users, options.writePasswordsItself ?? !executable(PASSWD_TOOL));
    lines.push(`password_file ${file}`);
  }
  lines.push(`listener ${port} 127.0.0.1`);
  if (tlsPort !== undefined) {
    lines.push(`listener ${tlsPort} 127.0.0.1`);
    lines.push(`cafile ${join(certs.dir, 'ca.crt')}`, `certfile ${join(certs.dir, 'server.crt')}`, `keyfile ${join(certs.dir, 'server.key')}`);
    lines.push(`require_certificate ${options.requireCertificate ? 'true' : 'false'}`);
  }
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);

  const child = spawn(MOSQUITTO_PATH, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const onExit = () => child.kill('SIGKILL'); // never outlive the test process
  process.once('exit', onExit);
  void exited.then(() => {
    process.off('exit', onExit);
    removeDir();
  });

  const deadline = Date.now() + START_MS;
  while (!/ running$/m.test(log)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`mosquitto did not start (${child.exitCode ?? child.signalCode ?? 'timeout'}): ${log}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }

  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      if (sig !== 'SIGCONT') child.kill('SIGCONT'); // a paused broker cannot act on SIGTERM
      child.kill(sig);
    }
    await exited;
  };
  return {
    port,
    tlsPort,
    pki: certs,
    process: child,
    log: () => log,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
  };
}

function writePasswords(file: string, users: Record<string, string>, itself: boolean): void {
  if (itself) {
    writeFileSync(file, Object.entries(users).map(([u, p]) => `${passwordLine(u, p)}\n`).join(''), { mode: 0o600 });
    return;
  }
  writeFileSync(file, '', { mode: 0o600 });
  for (const [user, password] of Object.entries(users)) execFileSync(PASSWD_TOOL, ['-b', file, user, password], { stdio: 'pipe' });
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
