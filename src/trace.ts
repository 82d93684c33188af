/**
 * A trace of one module's UART as JSON lines, one event per line, appended to a file:
 *   {"t":12.345,"module":"module 0","dir":"in","text":"AT\r"}
 *   {"t":12.401,"module":"module 0","dir":"in","command":"AT"}
 *   {"t":12.402,"module":"module 0","dir":"out","text":"\r\nOK\r\n","kind":"final","line":"OK"}
 *   {"t":20.100,"module":"module 0","dir":"info","reject":"+FOO","reason":"unknown command"}
 * `t` is milliseconds since the trace started; `text` is the bytes decoded as latin1, so
 * `Buffer.from(text, 'latin1')` gives them back exactly. Input the module dropped (not
 * powered) carries `"dropped":true`; power changes are `{"dir":"info","power":"on"}` and
 * handler failures (emulator bugs) `{"dir":"info","fault":"<stack>"}`.
 */
import { createWriteStream, openSync } from 'node:fs';
import type { Fc41dModule, ModuleEvents } from './device/module.ts';

export interface Trace {
  /** Stops tracing and flushes the file. */
  close(): Promise<void>;
}

export function attachTrace(module: Fc41dModule, path: string): Trace {
  // Opened here so a bad path fails now, not later on the first event.
  const out = createWriteStream(path, { fd: openSync(path, 'a') });
  out.on('error', (e) => console.error(`trace ${path}: ${e.message}`));
  const start = performance.now();
  const write = (event: Record<string, unknown>) => {
    const t = Number((performance.now() - start).toFixed(3));
    out.write(JSON.stringify({ t, module: module.label, ...event }) + '\n');
  };

  const listeners: { [K in keyof ModuleEvents]?: (...args: ModuleEvents[K]) => void } = {
    input: (bytes, accepted) => write({ dir: 'in', text: bytes.toString('latin1'), ...(accepted ? {} : { dropped: true }) }),
    line: (command) => write({ dir: 'in', command }),
    output: (bytes, info) => write({ dir: 'out', text: bytes.toString('latin1'), kind: info.kind, line: info.line }),
    reject: ({ command, reason }) => write({ dir: 'info', reject: command.source, reason }),
    power: (power) => write({ dir: 'info', power }),
    fault: (error) => write({ dir: 'info', fault: error instanceof Error ? error.stack ?? error.message : String(error) }),
  };
  for (const [name, fn] of Object.entries(listeners)) module.on(name as keyof ModuleEvents, fn as never);

  let closed: Promise<void> | null = null;
  return {
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const [name, fn] of Object.entries(listeners)) module.off(name as keyof ModuleEvents, fn as never);
        out.end(() => resolve());
      });
      return closed;
    },
  };
}
