/**
 * A trace of modules' UARTs as JSON lines, one event per line, appended to a file (one
 * file may hold several modules, told apart by `module`; `openTrace` + `attach`):
 *   {"t":12.345,"module":"module 0","dir":"in","text":"AT\r"}
 *   {"t":12.401,"module":"module 0","dir":"in","command":"AT"}
 *   {"t":12.402,"module":"module 0","dir":"out","text":"\r\nOK\r\n","kind":"final","line":"OK"}
 *   {"t":20.100,"module":"module 0","dir":"info","reject":"+FOO","reason":"unknown command"}
 * `t` is milliseconds since the trace started; `text` is the bytes decoded as latin1, so
 * `Buffer.from(text, 'latin1')` gives them back exactly. Input the module dropped (not
 * powered) carries `"dropped":true`; power changes are `{"dir":"info","power":"on"}` and
 * handler failures (emulator bugs) `{"dir":"info","fault":"<stack>"}`; a provisioning page that
 * cannot start `{"dir":"info","webcfgError":"<why>"}`. Hosts coming and going
 * (TCP) are `{"dir":"info","host":"connected"|"disconnected"|"refused","peer":"127.0.0.1:54321"}`
 * (a connect may add `"lost":<bytes>`), and output lost while no host was attached (beyond the
 * held 16 KiB) is `{"dir":"info","lost":<bytes>,"text":"…","reason":"…"}`.
 */
import { createWriteStream, openSync } from 'node:fs';
import type { Fc41dModule, ModuleEvents } from './device/module.ts';
import { system } from './system/feature.ts';
import type { OtaResult } from './wifi/ota.ts';
import { wifi } from './wifi/feature.ts';

export interface Trace {
  /** Stops tracing and flushes the file. */
  close(): Promise<void>;
}

/** One trace file that several modules write to (their `module` field tells them apart). */
export interface TraceFile extends Trace {
  /** Starts tracing a module into this file; ignored once the file is closed. */
  attach(module: Fc41dModule): void;
}

/** Opens (appends to) a trace file; attach the modules to trace. A bad path throws now. */
export function openTrace(path: string): TraceFile {
  // Opened here so a bad path fails now, not later on the first event. One stream for
  // all modules: lines from different modules never interleave within a line.
  const out = createWriteStream(path, { fd: openSync(path, 'a') });
  out.on('error', (e) => console.error(`trace ${path}: ${e.message}`));
  const start = performance.now();
  const detachers: (() => void)[] = [];
  let closed: Promise<void> | null = null;

  const attach = (module: Fc41dModule) => {
    if (closed) return;
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
      host: ({ event, peer, lost }) => write({ dir: 'info', host: event, peer, ...(lost ? { lost } : {}) }),
      overflow: (bytes) => write({ dir: 'info', lost: bytes.length, text: bytes.toString('latin1'), reason: 'no host attached and the held output is full' }),
    };
    for (const [name, fn] of Object.entries(listeners)) module.on(name as keyof ModuleEvents, fn as never);
    // What the features report by themselves (their services' events).
    const wifiEvents = module.service(wifi);
    const systemEvents = module.service(system);
    const onWebcfg = (url: string | null) => write({ dir: 'info', webcfg: url });
    const onWebcfgError = (why: string) => write({ dir: 'info', webcfgError: why });
    const onOta = (result: OtaResult) => write({ dir: 'info', ota: result });
    wifiEvents.on('webcfg', onWebcfg);
    wifiEvents.on('webcfgError', onWebcfgError);
    systemEvents.on('ota', onOta);
    detachers.push(() => {
      for (const [name, fn] of Object.entries(listeners)) module.off(name as keyof ModuleEvents, fn as never);
      wifiEvents.off('webcfg', onWebcfg);
      wifiEvents.off('webcfgError', onWebcfgError);
      systemEvents.off('ota', onOta);
    });
  };

  return {
    attach,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const detach of detachers.splice(0)) detach();
        out.end(() => resolve());
      });
      return closed;
    },
  };
}

/** Traces one module into its own file. */
export function attachTrace(module: Fc41dModule, path: string): Trace {
  const file = openTrace(path);
  file.attach(module);
  return { close: () => file.close() };
}
