/**
 * A trace of modules' UARTs as JSON lines, one event per line, appended to a file (one
 * file may hold several modules, told apart by `module`; `openTrace` + `attach`, or
 * `writeTraceFile` for a process's TraceHub, src/trace-hub.ts):
 *   {"time":"2026-12-01T12:00:00.345Z","t":12.345,"module":"module 0","dir":"in","text":"AT\r"}
 *   {"time":"2026-12-01T12:00:00.401Z","t":12.401,"module":"module 0","dir":"in","command":"AT"}
 *   {"time":"…","t":12.402,"module":"module 0","dir":"out","text":"\r\nOK\r\n","kind":"final","line":"OK"}
 *   {"time":"…","t":20.100,"module":"module 0","dir":"info","reject":"+FOO","reason":"unknown command"}
 * `time` is the wall clock (ISO 8601, ms); `t` is milliseconds since the trace started; `text` is the bytes decoded as latin1, so
 * `Buffer.from(text, 'latin1')` gives them back exactly. Input the module dropped (not
 * powered) carries `"dropped":true`; power changes are `{"dir":"info","power":"on"}` and
 * handler failures (emulator bugs) `{"dir":"info","fault":"<stack>"}`; a provisioning page that
 * cannot start `{"dir":"info","webcfgError":"<why>"}`. Hosts coming and going
 * (TCP) are `{"dir":"info","host":"connected"|"disconnected"|"refused","peer":"127.0.0.1:54321"}`
 * (a connect may add `"lost":<bytes>`), and output lost while no host was attached (beyond the
 * held 16 KiB) is `{"dir":"info","lost":<bytes>,"text":"…","reason":"…"}`. The underlying
 * error behind a result code is `{"dir":"info","failure":{…}}`; the world's faults starting and
 * stopping `{"dir":"info","faultStarted":<Fault>}` / `faultStopped` (with `module` only when the
 * fault is limited to one module), and changes made through the control API
 * `{"dir":"info","world":{…}}` (no `module`). docs/control.md lists the records.
 */
import { createWriteStream, openSync } from 'node:fs';
import type { Fc41dModule } from './device/module.ts';
import { TraceHub } from './trace-hub.ts';

export interface Trace {
  /** Stops tracing and flushes the file. */
  close(): Promise<void>;
}

/** One trace file that several modules write to (their `module` field tells them apart). */
export interface TraceFile extends Trace {
  /** Starts tracing a module into this file; ignored once the file is closed. */
  attach(module: Fc41dModule): void;
}

/**
 * Appends every record of a hub to a file until closed (the hub keeps running). A bad path
 * throws now, not later on the first record.
 */
export function writeTraceFile(path: string, hub: TraceHub): Trace {
  // One stream for all modules: lines from different modules never interleave within a line.
  const out = createWriteStream(path, { fd: openSync(path, 'a') });
  out.on('error', (e) => console.error(`trace ${path}: ${e.message}`));
  const unsubscribe = hub.subscribe((record) => out.write(JSON.stringify(record) + '\n'));
  let closed: Promise<void> | null = null;
  return {
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        unsubscribe();
        out.end(() => resolve());
      });
      return closed;
    },
  };
}

/** Opens (appends to) a trace file with a hub of its own; attach the modules to trace. A bad path throws now. */
export function openTrace(path: string): TraceFile {
  const hub = new TraceHub();
  const file = writeTraceFile(path, hub);
  return {
    attach: (module) => hub.attach(module),
    close: () => {
      hub.close();
      return file.close();
    },
  };
}

/** Traces one module into its own file. */
export function attachTrace(module: Fc41dModule, path: string): Trace {
  const file = openTrace(path);
  file.attach(module);
  return { close: () => file.close() };
}
