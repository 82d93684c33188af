/** What the TCP/UDP (§2.3) and SSL (§2.4) commands share: ids, ports, results, data lines. */
import type { ExecContext } from '../at/engine.ts';
import { PROMPT_SEND } from '../at/framing.ts';
import { param } from '../commands/declare.ts';
import { type Endpoint, type SocketInfo, SocketState } from '../net/types.ts';
import { Result, type ResultCode } from '../results/index.ts';
import { decodeData, encodeData } from './encoding.ts';
import { formatEndpoint } from './reports.ts';
import type { TcpipService } from './service.ts';

export const socketId = param.int('socketID', { min: 0, max: 11 });
export const port = <const N extends string>(name: N, min = 1, optional = false) => param.int(name, { min, max: 65535, optional });
const CRLF = Buffer.from('\r\n', 'latin1');

/** Records a socket command's result for AT+QIGETERROR and answers as the command should. */
export function result(tcpip: TcpipService, code: ResultCode, ok = 'OK'): string {
  tcpip.lastResult = code;
  return code === Result.OK ? ok : 'ERROR';
}

/** Data read for the host: a line of its own after the header line (text or hex per datatype). */
export function dataLine(ctx: ExecContext, tcpip: TcpipService, data: Buffer): void {
  ctx.raw(Buffer.concat([CRLF, encodeData(data, tcpip.config.datatype), CRLF]));
}

/** Counted inline data (AT+QISEND, AT+QSSLSEND) is 2 hex digits per byte while AT+QICFG="datatype" is 1. */
export const hexScale = (tcpip: TcpipService): number => (tcpip.config.datatype === 1 ? 2 : 1);

/** How long the prompt form of AT+QISEND / AT+QSSLSEND waits for the host's next byte. */
export const SEND_IDLE_TIMEOUT_MS = 10_000;

/**
 * AT+QISEND / AT+QSSLSEND once the socket is known: inline data (text or hex per datatype, exactly
 * <len> bytes) answered `<prefix>: <len>` and OK, or without data the prompt form (FIDELITY.md):
 * `> `, exactly <len> raw bytes, then SEND OK or SEND FAIL.
 */
export async function sendFromHost(
  ctx: ExecContext,
  tcpip: TcpipService,
  send: { info: SocketInfo; len: number; text: Buffer | undefined; to?: Endpoint; prefix: string },
): Promise<string> {
  const { info, len, text, to, prefix } = send;
  if (text === undefined) {
    if (info.state !== SocketState.Connected) return result(tcpip, Result.NOT_ALLOWED);
    const data = await ctx.readData(len, { prompt: PROMPT_SEND, idleTimeoutMs: SEND_IDLE_TIMEOUT_MS });
    if (!data.complete) return 'SEND FAIL';
    const sent = tcpip.net.send(info.id, data.bytes, to);
    tcpip.lastResult = sent.ok ? Result.OK : sent.result;
    return sent.ok ? 'SEND OK' : 'SEND FAIL';
  }
  // Text mode: the counted bytes as they came (binary-safe); hex mode: their hex digits decoded.
  const data = tcpip.config.datatype === 0 ? text : decodeData(text.toString('latin1'), 1);
  if (!data || data.length !== len) return result(tcpip, Result.INVALID_PARAMETER);
  const sent = tcpip.net.send(info.id, data, to);
  if (!sent.ok) return result(tcpip, sent.result);
  ctx.line(`${prefix}: ${sent.sent}`);
  return result(tcpip, Result.OK);
}

/**
 * AT+QISTATE (§2.3.3) and AT+QSSLSTATE (§2.4.6): `<prefix>: <id>,"<type>","<ip>",<port>,<local_port>,<state>`
 * for the sockets `keep` accepts, or only `only`.
 */
export function stateLines(ctx: ExecContext, tcpip: TcpipService, prefix: string, keep: (s: SocketInfo) => boolean, only?: number): string {
  for (const s of tcpip.net.list()) {
    if (!keep(s) || (only !== undefined && s.id !== only)) continue;
    ctx.line(`${prefix}: ${s.id},"${s.type}",${formatEndpoint(s.remote)},${s.localPort},${s.state}`);
  }
  return 'OK';
}
