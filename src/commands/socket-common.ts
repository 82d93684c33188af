/** What the TCP/UDP (§2.3) and SSL (§2.4) commands share: ids, ports, results, data lines. */
import type { ExecContext } from '../at/engine.ts';
import type { Fc41dModule } from '../device/module.ts';
import { Result, type ResultCode } from '../net/types.ts';
import { encodeData } from '../tcpip/encoding.ts';
import type { IntParam } from './params.ts';

export const socketId: IntParam = { name: 'socketID', type: 'int', min: 0, max: 11 };
export const port = (name: string, min = 1): IntParam => ({ name, type: 'int', min, max: 65535 });
const CRLF = Buffer.from('\r\n', 'latin1');

/** Records a socket command's result for AT+QIGETERROR and answers as the command should. */
export function result(device: Fc41dModule, code: ResultCode, ok = 'OK'): string {
  device.sockets.lastResult = code;
  return code === Result.OK ? ok : 'ERROR';
}

/** Data read for the host: a line of its own after the header line (text or hex per datatype). */
export function dataLine(ctx: ExecContext, device: Fc41dModule, data: Buffer): void {
  ctx.raw(Buffer.concat([CRLF, encodeData(data, device.tcpip.datatype), CRLF]));
}
