/**
 * AT+QHTTPGET (§2.6.2) + AT+QHTTPREAD (§2.6.5) of a 1 MiB body through a module against node's
 * fetch (undici) getting the same URL straight from the same server in the same run (issue 11
 * item 8). The server is the default world's test service (src/world/httpbin.ts, `/bytes/<n>`)
 * in this process; the module runs in its own `fc41d serve` process (BENCH_HTTP_INPROC=1: in this
 * one), driven over the TCP transport by a host that sends AT+QHTTPGET, waits for
 * `+QHTTPGET: 0,200,<len>`, sends AT+QHTTPREAD and reads `CONNECT`, the body, `OK` and
 * `+QHTTPREAD: 0`, as a driver does. Every round's body is checked byte for byte (outside the
 * timing). Alternating rounds, medians, MiB/s; no target (the module pays an AT round trip and
 * a second hop through the UART the direct fetch does not).
 * Prints "skipped" when the module answers the HTTP commands with ERROR (not built yet).
 */
import { seededBytes } from '../src/world/httpbin-bytes.ts';
import { startHttpbin } from '../src/world/httpbin.ts';
import { type BenchModule, median, moduleWithAddress, report, spawnedModuleWithAddress, until } from './setup.ts';

const SIZE = Number(process.env.BENCH_HTTP_BYTES ?? 1024 * 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIB = 1024 * 1024;

type Host = Pick<BenchModule, 'host' | 'command' | 'close'>;

/** AT+QHTTPREAD's whole answer, once `+QHTTPREAD: <n>` has come after at least `size` bytes. */
function readAnswer(host: Host['host'], size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let tail = '';
    const onData = (b: Buffer) => {
      chunks.push(b);
      total += b.length;
      tail = (tail + b.toString('latin1')).slice(-64);
      if (total < 64 && /^\r\nERROR\r\n$/.test(tail)) return done(new Error('AT+QHTTPREAD answered ERROR'));
      if (total >= size && /\+QHTTPREAD: \d+\r\n$/.test(tail)) done();
    };
    const done = (error?: Error) => {
      host.off('data', onData);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    host.on('data', onData);
  });
}

/** One GET and READ through the module; seconds, and the body it read. */
async function throughModule(bench: Host): Promise<{ seconds: number; body: Buffer }> {
  const t0 = performance.now();
  const result = until(bench.host, /\+QHTTPGET: [^\r]*\r\n|\r\nERROR\r\n/);
  bench.host.write('AT+QHTTPGET\r');
  const get = await result;
  if (/^\r\nERROR\r\n$/.test(get)) throw new NotBuilt(`AT+QHTTPGET answered ${JSON.stringify(get.trim())}`);
  if (!get.includes(`+QHTTPGET: 0,200,${SIZE}\r\n`)) throw new Error(`AT+QHTTPGET: ${JSON.stringify(get)}`);
  const answer = readAnswer(bench.host, SIZE);
  bench.host.write('AT+QHTTPREAD\r');
  const text = await answer;
  const seconds = (performance.now() - t0) / 1000;
  // `CONNECT\r\n<body>\r\nOK\r\n\r\n+QHTTPREAD: 0\r\n` (FIDELITY.md), the body's bytes exactly.
  const start = text.indexOf('CONNECT\r\n') + 'CONNECT\r\n'.length;
  const end = text.lastIndexOf('\r\nOK\r\n');
  if (start < 9 || !text.subarray(end).toString('latin1').endsWith('+QHTTPREAD: 0\r\n')) {
    throw new Error(`AT+QHTTPREAD: ${JSON.stringify(text.subarray(0, 40).toString('latin1'))}…${JSON.stringify(text.subarray(-40).toString('latin1'))}`);
  }
  return { seconds, body: text.subarray(start, end) };
}

async function direct(url: string): Promise<{ seconds: number; body: Buffer }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return { seconds: (performance.now() - t0) / 1000, body };
}

export async function benchHttp(): Promise<void> {
  const service = await startHttpbin();
  const url = `http://127.0.0.1:${service.httpPort}/bytes/${SIZE}`;
  const expected = seededBytes(0, 0, SIZE);
  const bench: Host = process.env.BENCH_HTTP_INPROC ? await moduleWithAddress() : await spawnedModuleWithAddress();
  try {
    const cfg = await bench.command(`AT+QHTTPCFG="url","${url}"`);
    const check = (what: string, body: Buffer) => {
      if (!body.equals(expected)) throw new Error(`${what}: ${body.length} bytes, not the ${SIZE} served`);
    };
    // A warm-up of each, then rounds alternating module and direct.
    try {
      if (!cfg.includes('\r\nOK\r\n')) throw new NotBuilt(`AT+QHTTPCFG answered ${JSON.stringify(cfg.trim())}`);
      check('module', (await throughModule(bench)).body);
    } catch (e) {
      if (!(e instanceof NotBuilt)) throw e;
      console.log(`http: skipped, ${e.message} (are the HTTP commands built?)`);
      return;
    }
    check('fetch', (await direct(url)).body);
    const figures = { module: [] as number[], direct: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const m = await throughModule(bench);
      check('module', m.body);
      figures.module.push(SIZE / MIB / m.seconds);
      const d = await direct(url);
      check('fetch', d.body);
      figures.direct.push(SIZE / MIB / d.seconds);
    }
    report(`AT+QHTTPGET + AT+QHTTPREAD of ${SIZE} bytes (medians of ${ROUNDS} rounds)`, median(figures.module), median(figures.direct), 'MiB/s', {
      base: 'fetch (undici) direct',
    });
  } finally {
    await bench.close();
    await service.close();
  }
}

/** The module has no HTTP commands (yet): the bench says "skipped". */
class NotBuilt extends Error {}

if (import.meta.url === `file://${process.argv[1]}`) await benchHttp();
