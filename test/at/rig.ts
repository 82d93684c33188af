/**
 * Scaffolding for the line-discipline tests: the AT engine alone with a tiny dispatcher
 * (through an in-memory duplex), and a full module over the real TCP transport with a
 * recording TCP peer.
 */
import { Duplex } from 'node:stream';
import { AtEngine, type Dispatch, type EngineOptions, type TransparentSession } from '../../src/at/engine.ts';
import { PROMPT_CONNECT, PROMPT_SEND } from '../../src/at/framing.ts';
import { realClock } from '../../src/clock.ts';
import type { ModuleOptions } from '../../src/device/module.ts';
import { parseWorld, World } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';
import { recordingPeer, wired, writeAs } from '../helpers/wires.ts';

export const T = 10_000;
export const OK = '\r\nOK\r\n';
export const ERROR = '\r\nERROR\r\n';
export const PROMPT = PROMPT_SEND.toString('latin1');
export const CONNECT = PROMPT_CONNECT.toString('latin1');

/** Line endings real hosts use. */
export const ENDINGS = { CR: '\r', CRLF: '\r\n', CRCR: '\r\r' } as const;

export class Session implements TransparentSession {
  open = true;
  escapes = 0;
  chunks: Buffer[] = [];
  fromHost(bytes: Buffer): void {
    this.chunks.push(Buffer.from(bytes));
  }
  isOpen(): boolean {
    return this.open;
  }
  onEscape(): void {
    this.escapes++;
  }
  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/**
 * An engine with test commands: `+X` (a line), `+N=<n>` (says n), `+LEN` (its own length),
 * `+FAIL` (ERROR), `+THROW` (a handler bug), `+AFTERTHROW` (a bug after the answer), `+SLOW`
 * (`+SLOW: start`, waits for release(), `+SLOW: end`), `+SEND=<n>` (`> `, n bytes), `+UP=<n>`
 * (`CONNECT`, n bytes), `+OPEN` (transparent), `O` (resume), and `+PUB=<n>,"<payload>"` whose
 * payload is counted (n bytes). `sendIdleMs`: how long +SEND/+UP wait for the next byte.
 */
export async function engineRig(opts: Partial<EngineOptions> = {}, { sendIdleMs = 500 } = {}) {
  const state = { echo: false, urc: true, calls: [] as string[], payloads: [] as Buffer[], errors: [] as unknown[] };
  const session = new Session();
  const releases: (() => void)[] = [];
  const dispatch: Dispatch = async (command, ctx) => {
    state.calls.push(command.source);
    switch (command.name) {
      case '+X':
        ctx.line('+X: 1');
        return 'OK';
      case '+N':
        ctx.line(`+N: ${command.args[0]?.text}`);
        return 'OK';
      case '+LEN':
        ctx.line(`+LEN: ${command.source.length}`);
        return 'OK';
      case '+FAIL':
        return 'ERROR';
      case '+THROW':
        throw new Error('handler bug');
      case '+AFTERTHROW':
        ctx.afterResponse(() => {
          throw new Error('hook bug');
        });
        return 'OK';
      case '+SLOW':
        ctx.line('+SLOW: start');
        await new Promise<void>((resolve) => releases.push(resolve));
        ctx.line('+SLOW: end');
        return 'OK';
      case '+SEND':
      case '+UP': {
        const prompt = command.name === '+SEND' ? PROMPT_SEND : PROMPT_CONNECT;
        const r = await ctx.readData(Number(command.args[0].text), { prompt, idleTimeoutMs: sendIdleMs });
        state.payloads.push(r.bytes);
        ctx.line(`+GOT: ${r.bytes.toString('hex')}`);
        return r.complete ? 'SEND OK' : 'SEND FAIL';
      }
      case '+PUB': {
        const payload = command.args[1]?.bytes;
        if (!payload) return 'ERROR';
        state.payloads.push(payload);
        ctx.line(`+PUB: ${payload.toString('hex')}`);
        return 'OK';
      }
      case '+OPEN':
        return ctx.enterTransparent(session);
      case 'O':
        return ctx.resumeTransparent() ? 'CONNECT' : 'NO CARRIER';
      default:
        return 'ERROR';
    }
  };
  const { engine, host } = await bootEngine({
    dispatch,
    countedPayload: (line) => {
      const m = /\+PUB=(\d+),\s*$/i.exec(line);
      return m ? Number(m[1]) : null;
    },
    echo: () => state.echo,
    urcEnabled: () => state.urc,
    guardMs: 100,
    onHandlerError: (_command, error) => state.errors.push(error),
    ...opts,
  });
  return { engine, host, state, session, release: () => releases.shift()?.() };
}

/** An engine (real clock unless given) booted behind an in-memory duplex that an AtHost talks through. */
async function bootEngine(opts: Omit<EngineOptions, 'output' | 'clock'> & Partial<Pick<EngineOptions, 'clock'>>) {
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      engine.input(chunk);
      callback();
    },
  });
  const engine: AtEngine = new AtEngine({ clock: realClock, ...opts, output: (bytes) => stream.push(bytes) });
  const host = new AtHost(stream);
  engine.boot();
  await host.expect('\r\nready\r\n');
  return { engine, host };
}

export { recordingPeer, writeAs };

/** A module (echo off, joined to an AP) driven over the real TCP transport. */
export async function tcpModule(opts: Partial<ModuleOptions> = {}) {
  const world = new World(parseWorld({ timeScale: 0.01, hosts: {}, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const w = await wired('tcp', { bootMs: 5, world, echo: false, guardMs: 100, ...opts }, T);
  const host = w.host;
  host.send('AT+QSTAAPINFO=Office');
  await host.expect('+QSTASTAT:GOT_IP\r\n', T);
  await host.collect(20);
  return { module: w.module, host, at: (line: string) => host.command(line, T), close: w.close };
}
