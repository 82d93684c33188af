/**
 * A command line run away from the UART (FeatureHost.execute): Wi-Fi configuration over BLE
 * (example 4.2.3.2) runs the AT text a central wrote, and notifies what a UART would have shown.
 * Same registry and parser as the UART; no data mode or transparent mode here (there is no byte
 * stream to take them from), so those commands answer ERROR.
 */
import type { ExecContext } from '../at/engine.ts';
import { parseLine } from '../at/parse.ts';
import type { Registry, RejectReason } from './registry.ts';

const CRLF = '\r\n';

export async function runDetached(
  registry: Registry,
  text: string,
  out: (text: string) => void,
  onReject: (r: RejectReason) => void,
): Promise<string> {
  out(text);
  const finish = (final: string) => {
    out(final + CRLF);
    return final;
  };
  const parsed = parseLine(text);
  if (!parsed.ok) return finish('ERROR');
  const after: (() => void)[] = [];
  const ctx: ExecContext = {
    line: (line) => out(line + CRLF),
    raw: (bytes) => out(bytes.toString('utf8')),
    readData: async () => ({ bytes: Buffer.alloc(0), complete: false }),
    enterTransparent: () => 'ERROR',
    resumeTransparent: () => false,
    afterResponse: (fn) => after.push(fn),
  };
  let final = 'OK';
  for (const command of parsed.commands) {
    try {
      final = await registry.execute(command, ctx, onReject);
    } catch {
      final = 'ERROR';
    }
    if (final !== 'OK') break;
  }
  finish(final);
  for (const fn of after) fn(); // (AT+QRST reboots after its OK: the caller sees that OK first)
  return final;
}
