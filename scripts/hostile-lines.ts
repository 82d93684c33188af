/**
 * Hostile lines over a real wire (TCP, or the PTY device): bursts well over 1 MiB, each queued behind a slow command
 * (AT+QWSCAN), of random and malformed command
 * lines (random bytes, NUL, backspace, lone quotes, `+++` at odd places, overlong lines, every
 * line ending), with valid marker commands between them. After every burst the module must
 * have answered every marker exactly once (nothing glued, nothing lost), `AT` must get exactly
 * `\r\nOK\r\n`, and no handler may have faulted.
 *
 * `node --import tsx scripts/hostile-lines.ts [LINES] [SEED] [tcp|pty]` runs a million lines and prints
 * the figures; test/hostile-lines.test.ts runs a smaller number through the same code.
 */
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { ReadStream } from 'node:tty';
import { Fc41dModule } from '../src/device/module.ts';
import { seededRandom } from '../src/random.ts';
import { startPtyTransport } from '../src/transport/pty.ts';
import { startTcpTransport } from '../src/transport/tcp.ts';

export interface HostileRun {
  lines: number;
  /** The wire: a TCP connection (default) or the PTY device, opened as a serial host would. */
  wire?: 'tcp' | 'pty';
  seed: number;
  /** Bytes per burst; each burst is written as fast as the wire takes it. */
  burstBytes: number;
}

export interface HostileFigures {
  lines: number;
  markers: number;
  bursts: number;
  bytesSent: number;
  bytesReceived: number;
  overlongLines: number;
  seconds: number;
  peakRssMiB: number;
  faults: number;
}

/** The marker: a valid command whose answer random input cannot forge (`+QWLMAC:` then the MAC). */
const MARKER = 'AT+QWLMAC';
const MARKER_ANSWER = Buffer.from('\r\n+QWLMAC:', 'latin1');
const MARKER_ANSWER_OLD = Buffer.from('\r\n+QWLMAC: ', 'latin1');
const ENDINGS = ['\r', '\r\n', '\r\r', '\r\n\r\n'];
// Pieces that reach deeper than noise. No command that stops answering (QRST, QDEEPSLEEP), enters
// data mode (QISEND, QSSLCERT), or changes what later answers look like (QECHO, ATE, QURCCFG).
const FRAGMENTS = ['AT', 'at', '+QVERSION', '+QSTAST', '+QISTATE', '=?', '?', ';', ',', '"', '\n', '\b', '\0', '0', '1', ' ', '+++', 'ATO', 'AT+'];

/** mulberry32: small and seedable (the emulator's own, src/random.ts). */
export const prng = seededRandom;

/** One hostile line without its ending; never contains CR. */
function hostileLine(rand: () => number): { text: Buffer; overlong: boolean } {
  const r = rand();
  const noCr = (b: number) => (b === 0x0d ? 0x0e : b);
  if (r < 0.001) {
    // Overlong: past the 4096-byte line limit, some far past it.
    const n = 4097 + Math.floor(rand() * 60_000);
    return { text: Buffer.from(Array.from({ length: n }, () => noCr(Math.floor(rand() * 256)))), overlong: true };
  }
  if (r < 0.4) {
    const n = 1 + Math.floor(rand() * 80);
    return { text: Buffer.from(Array.from({ length: n }, () => noCr(Math.floor(rand() * 256)))), overlong: false };
  }
  const parts: string[] = [];
  for (let n = 1 + Math.floor(rand() * 8); n > 0; n--) parts.push(FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)]);
  return { text: Buffer.from(parts.join(''), 'latin1'), overlong: false };
}

/** Counts occurrences of a needle across chunk boundaries. */
class StreamCounter {
  count = 0;
  private tail = Buffer.alloc(0);
  constructor(private readonly needle: Buffer) {}
  push(chunk: Buffer): void {
    const buf = Buffer.concat([this.tail, chunk]);
    for (let i = buf.indexOf(this.needle); i >= 0; i = buf.indexOf(this.needle, i + this.needle.length)) this.count++;
    this.tail = Buffer.from(buf.subarray(Math.max(0, buf.length - this.needle.length + 1)));
  }
}

function waitFor(cond: () => boolean, socket: Duplex, what: () => string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (cond()) return resolve();
    const timer = setTimeout(() => {
      socket.off('data', check);
      reject(new Error(`timed out waiting for ${what()}`));
    }, timeoutMs);
    const check = () => {
      if (!cond()) return;
      clearTimeout(timer);
      socket.off('data', check);
      resolve();
    };
    socket.on('data', check);
  });
}

export async function runHostileLines(run: HostileRun): Promise<HostileFigures> {
  const module = new Fc41dModule({ bootMs: 5, echo: false });
  let faults = 0;
  module.on('fault', () => faults++);
  const { socket, close } = await openWire(run.wire ?? 'tcp', module);
  const started = performance.now();
  let peakRss = process.memoryUsage().rss;
  const markers = new StreamCounter(MARKER_ANSWER);
  const markersOld = new StreamCounter(MARKER_ANSWER_OLD);
  let received = 0;
  let tail = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    markers.push(chunk);
    markersOld.push(chunk);
    tail = (tail + chunk.toString('latin1')).slice(-64);
  });
  const answered = () => Math.max(markers.count, markersOld.count);
  try {
    await waitFor(() => tail.includes('\r\nready\r\n'), socket, () => 'ready');
    const rand = prng(run.seed);
    let lines = 0;
    let sentMarkers = 0;
    let bursts = 0;
    let bytesSent = 0;
    let overlongLines = 0;
    while (lines < run.lines) {
      // A scan keeps the module busy for a second: the whole burst waits behind it, well over
      // the 1 MiB a UART receive buffer holds, so the transport must push back rather than drop.
      const parts: Buffer[] = [Buffer.from('AT+QWSCAN\r', 'latin1')];
      let size = 0;
      while (size < run.burstBytes && lines < run.lines) {
        const line = hostileLine(rand);
        if (line.overlong) overlongLines++;
        const ending = Buffer.from(ENDINGS[Math.floor(rand() * ENDINGS.length)], 'latin1');
        parts.push(line.text, ending);
        size += line.text.length + ending.length;
        lines++;
        if (rand() < 0.02) {
          parts.push(Buffer.from(`${MARKER}${ENDINGS[Math.floor(rand() * ENDINGS.length)]}`, 'latin1'));
          sentMarkers++;
        }
      }
      // The closing marker syncs: once it is answered, everything before it was.
      parts.push(Buffer.from(`${MARKER}\r`, 'latin1'));
      sentMarkers++;
      const burst = Buffer.concat(parts);
      bytesSent += burst.length;
      if (!socket.write(burst)) await new Promise((r) => socket.once('drain', r));
      await waitFor(() => answered() >= sentMarkers && tail.endsWith('\r\nOK\r\n'), socket, () => `marker ${sentMarkers} (answered ${answered()})`);
      if (answered() !== sentMarkers) throw new Error(`burst ${bursts}: ${answered()} marker answers for ${sentMarkers} markers`);
      // Nothing glued: AT alone gets exactly OK, and nothing else is still on its way.
      const before = received;
      tail = '';
      socket.write('AT\r');
      await waitFor(() => tail.endsWith('\r\nOK\r\n'), socket, () => `OK after burst ${bursts}`);
      if (received - before !== 6) throw new Error(`burst ${bursts}: AT answered ${JSON.stringify(tail)}`);
      if (module.state !== 'on') throw new Error(`burst ${bursts}: module is ${module.state}`);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      bursts++;
    }
    return {
      lines,
      markers: sentMarkers,
      bursts,
      bytesSent,
      bytesReceived: received,
      overlongLines,
      seconds: (performance.now() - started) / 1000,
      peakRssMiB: peakRss / 2 ** 20,
      faults,
    };
  } finally {
    socket.destroy();
    module.dispose();
    await close();
  }
}

/** The host's end of the wire, connected; `close` stops the transport. */
async function openWire(wire: 'tcp' | 'pty', module: Fc41dModule): Promise<{ socket: Duplex; close: () => Promise<void> }> {
  if (wire === 'tcp') {
    const tcp = await startTcpTransport('127.0.0.1', 0, module);
    const socket = connect(tcp.address.port, tcp.address.host);
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return { socket, close: () => tcp.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'fc41d-hostile-'));
  const pty = await startPtyTransport(join(dir, 'tty'), module);
  // O_NOCTTY: not our controlling terminal; the bridge made the pty raw.
  const socket = new ReadStream(openSync(pty.path, constants.O_RDWR | constants.O_NOCTTY));
  socket.on('error', () => {}); // EIO once the bridge is gone
  return {
    socket,
    close: async () => {
      await pty.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 32));
  const wire = process.argv[4] === 'pty' ? 'pty' : 'tcp';
  const figures = await runHostileLines({ lines, seed, burstBytes: 3 * 2 ** 20, wire });
  console.log(JSON.stringify({ seed, ...figures, peakRssMiB: Math.round(figures.peakRssMiB) }));
  process.exit(figures.faults === 0 ? 0 : 1);
}
