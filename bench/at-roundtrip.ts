/**
 * AT round-trip latency over the TCP transport against a raw TCP echo baseline, both in
 * this process and this run: `AT\r` (3 bytes) answered `\r\nOK\r\n` (6 bytes), one at a
 * time. Blocks alternate between the two so load changes hit both alike.
 * Run by bench/run.ts (`npm run bench`); not a test.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Fc41dModule } from '../src/device/module.ts';
import { startTcpTransport } from '../src/transport/tcp.ts';

const ROUND_TRIPS = Number(process.env.BENCH_N ?? 2000);
/** Enough for the JIT to settle on both paths; fewer leaves the module's path half-optimised. */
const WARMUP = 5000;
const BLOCK = 100;
const TARGET = 1.5;
const REQUEST = Buffer.from('AT\r');
const ANSWER = Buffer.from('\r\nOK\r\n');

/** A client doing sequential round trips: send, wait for `expect` bytes, repeat. */
class Client {
  private got = 0;
  private done: (() => void) | null = null;

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => {
      this.got += b.length;
      if (this.got >= ANSWER.length && this.done) {
        this.got -= ANSWER.length;
        const d = this.done;
        this.done = null;
        d();
      }
    });
  }

  /** Round-trip times in µs. */
  async run(n: number): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        this.done = resolve;
        this.socket.write(REQUEST);
      });
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    return times;
  }
}

async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** The baseline: answers every 3 bytes with 6, and does nothing else. */
async function echoServer(): Promise<Server> {
  const server = createServer((s) => {
    s.setNoDelay(true);
    let pending = 0;
    s.on('data', (b: Buffer) => {
      pending += b.length;
      for (; pending >= REQUEST.length; pending -= REQUEST.length) s.write(ANSWER);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function benchAtRoundTrip(): Promise<void> {
  const module = new Fc41dModule({ bootMs: 1, echo: false });
  const tcp = await startTcpTransport('127.0.0.1', 0, module);
  const moduleSocket = await open(tcp.address.port);
  await new Promise<void>((resolve) => {
    let text = '';
    const onData = (b: Buffer) => {
      text += b.toString('latin1');
      if (!text.includes('\r\nready\r\n')) return;
      moduleSocket.off('data', onData);
      resolve();
    };
    moduleSocket.on('data', onData);
  });
  const moduleClient = new Client(moduleSocket);

  const echo = await echoServer();
  const echoClient = new Client(await open((echo.address() as AddressInfo).port));

  await moduleClient.run(WARMUP);
  await echoClient.run(WARMUP);

  const results = { module: [] as number[], echo: [] as number[] };
  for (let done = 0; done < ROUND_TRIPS; done += BLOCK) {
    const n = Math.min(BLOCK, ROUND_TRIPS - done);
    results.module.push(...(await moduleClient.run(n)));
    results.echo.push(...(await echoClient.run(n)));
  }

  const m = median(results.module);
  const e = median(results.echo);
  const ratio = m / e;
  console.log(
    `AT round trip over TCP: median ${m.toFixed(1)} µs vs raw echo ${e.toFixed(1)} µs, ratio ${ratio.toFixed(2)} (target <= ${TARGET})` +
      (ratio <= TARGET ? '' : '  ABOVE TARGET'),
  );

  moduleClient.socket.destroy();
  echoClient.socket.destroy();
  await tcp.close();
  module.dispose();
  echo.close();
}
