import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, mkdtempSync, openSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ReadStream } from 'node:tty';
import type { HostAttachment, HostPort } from '../../src/transport/host-port.ts';
import { startPtyTransport, type PtyTransport } from '../../src/transport/pty.ts';

/** A stand-in module: answers every `AT\r` with `\r\nOK\r\n` and records what it got. */
class FakeModule implements HostPort {
  readonly label = 'fake module';
  attaches = 0;
  detaches = 0;
  received = Buffer.alloc(0);
  private sink: ((bytes: Buffer) => void) | null = null;
  private line = '';

  attach(sink: (bytes: Buffer) => void): HostAttachment {
    assert.equal(this.sink, null, 'the pty transport attaches once');
    this.sink = sink;
    this.attaches++;
    return {
      write: (bytes) => this.onBytes(bytes),
      drained: () => {},
      detach: () => {
        this.sink = null;
        this.detaches++;
      },
    };
  }

  send(bytes: Buffer): void {
    assert.ok(this.sink, 'module is not attached');
    this.sink(bytes);
  }

  private onBytes(bytes: Buffer): void {
    this.received = Buffer.concat([this.received, bytes]);
    for (const byte of bytes) {
      if (byte !== 0x0d) {
        this.line += String.fromCharCode(byte);
        continue;
      }
      if (this.line === 'AT') this.send(Buffer.from('\r\nOK\r\n'));
      this.line = '';
    }
  }
}

/** The test's side of the wire: opens the device as a serial host would. */
class Host {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;

  private constructor(private readonly stream: ReadStream) {
    stream.on('data', (b: Buffer) => {
      this.buf = Buffer.concat([this.buf, b]);
      this.wake?.();
    });
  }

  static open(path: string): Host {
    // O_NOCTTY: do not become our controlling terminal. The bridge already made the
    // pty raw (no echo, no CR/NL mapping, no flow control), so no stty here.
    return new Host(new ReadStream(openSync(path, constants.O_RDWR | constants.O_NOCTTY)));
  }

  write(bytes: Buffer | string): void {
    this.stream.write(bytes);
  }

  async read(n: number, timeoutMs = 2000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`read ${this.buf.length}/${n} bytes: ${JSON.stringify(this.buf.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => (clearTimeout(timer), resolve());
      });
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.destroy().once('close', () => resolve()));
  }
}

async function until(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function onPath(cmd: string): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

function bridgeTests(backend: 'socat' | 'python'): void {
  let dir: string;
  let path: string;
  let module: FakeModule;
  let transport: PtyTransport;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fc41d-pty-'));
    path = join(dir, 'ttyFC41D');
    module = new FakeModule();
    transport = await startPtyTransport(path, module, { forcePython: backend === 'python' });
  });

  after(async () => {
    await transport?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`uses the ${backend} backend and attaches once at start`, () => {
    assert.equal(transport.backend, backend);
    assert.equal(transport.path, path);
    assert.equal(module.attaches, 1);
  });

  it('answers AT across repeated open / close / reopen', async () => {
    for (let round = 0; round < 4; round++) {
      const host = Host.open(path);
      host.write('AT\r');
      assert.equal((await host.read(6)).toString(), '\r\nOK\r\n', `round ${round}`);
      await host.close();
    }
    assert.equal(module.attaches, 1, 'host opens/closes are not attach/detach');
    assert.equal(module.detaches, 0);
  });

  it('passes all 256 byte values unchanged both ways', async () => {
    const host = Host.open(path);
    try {
      // Module -> host first: it ends with XOFF (0x13) after XON (0x11), so if the
      // pty kept IXON the host's output would now be stopped and the next leg would fail.
      module.send(ALL_BYTES);
      assert.deepEqual(await host.read(256), ALL_BYTES, 'module -> host');

      module.received = Buffer.alloc(0);
      host.write(ALL_BYTES);
      await until(() => module.received.length >= 256, 'the module to get 256 bytes');
      assert.deepEqual(module.received, ALL_BYTES, 'host -> module');
    } finally {
      await host.close();
    }
  });

  it('output while nobody has the device open is kept, all of it, for the next opener', async () => {
    // Far beyond the pty's own buffer, the bridge's stdin pipe and the old 64 KiB cap.
    const size = 512 * 1024;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 7 + (i >> 10)) & 0xff;
    for (let at = 0; at < size; at += 8192) module.send(payload.subarray(at, at + 8192));
    await new Promise((r) => setTimeout(r, 200));
    const host = Host.open(path);
    try {
      const got = await host.read(size, 10_000).catch((e: Error) => assert.fail(e.message.slice(0, 40)));
      assert.ok(got.equals(payload), 'the same bytes, in order');
    } finally {
      await host.close();
    }
  });

  it('close() stops the bridge, detaches and removes the path', async () => {
    await transport.close();
    await transport.exited;
    assert.equal(existsSync(path), false);
    assert.equal(module.detaches, 1);
    await transport.close(); // idempotent
  });
}

describe('pty transport: python backend', () => bridgeTests('python'));

if (onPath('socat')) {
  describe('pty transport: socat backend', () => bridgeTests('socat'));
} else if (process.env.CI) {
  it('pty transport: socat backend', () => assert.fail('socat is not on PATH; CI must install socat'));
} else {
  it('pty transport: socat backend', { skip: 'socat is not on PATH (CI installs it)' }, () => {});
}
