/**
 * What a trace records (src/trace.ts describes the format): the listeners that turn a module's
 * events, its services' events and the world's fault events into record fields. The hub
 * (trace-hub.ts) stamps them with `time`, `t` and `module` and hands them to the file, the
 * in-memory store and the live WebSocket.
 */
import type { Fc41dModule, ModuleEvents } from './device/module.ts';
import type { Fault } from './faults/types.ts';
import { system } from './system/feature.ts';
import type { OtaResult } from './wifi/ota.ts';
import { wifi } from './wifi/feature.ts';
import type { World } from './world/world.ts';

/** A record's own fields, before the hub adds `time`, `t` and `module`. */
export type TraceEvent = { dir: 'in' | 'out' | 'info' } & Record<string, unknown>;

/** Listens to a module and its services; returns what stops listening. */
export function recordModule(module: Fc41dModule, write: (event: TraceEvent) => void): () => void {
  const listeners: { [K in keyof ModuleEvents]?: (...args: ModuleEvents[K]) => void } = {
    input: (bytes, accepted) => write({ dir: 'in', text: bytes.toString('latin1'), ...(accepted ? {} : { dropped: true }) }),
    line: (command) => write({ dir: 'in', command }),
    output: (bytes, info) => write({ dir: 'out', text: bytes.toString('latin1'), kind: info.kind, line: info.line }),
    reject: ({ command, reason }) => write({ dir: 'info', reject: command.source, reason }),
    power: (power) => write({ dir: 'info', power }),
    fault: (error) => write({ dir: 'info', fault: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    host: ({ event, peer, lost }) => write({ dir: 'info', host: event, peer, ...(lost ? { lost } : {}) }),
    overflow: (bytes) => write({ dir: 'info', lost: bytes.length, text: bytes.toString('latin1'), reason: 'no host attached and the held output is full' }),
    // The underlying error behind a result code: `{feature, result, detail, cause}`.
    failure: (failure) => write({ dir: 'info', failure }),
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
  return () => {
    for (const [name, fn] of Object.entries(listeners)) module.off(name as keyof ModuleEvents, fn as never);
    wifiEvents.off('webcfg', onWebcfg);
    wifiEvents.off('webcfgError', onWebcfgError);
    systemEvents.off('ota', onOta);
  };
}

/**
 * Listens to the world's faults: `faultStarted` / `faultStopped` with the fault as the set holds
 * it; a fault limited to one module is that module's record (`module` is its label).
 */
export function recordWorld(world: World, write: (event: TraceEvent, module?: string) => void): () => void {
  const onStarted = (fault: Fault) => write({ dir: 'info', faultStarted: fault }, fault.module);
  const onStopped = (fault: Fault) => write({ dir: 'info', faultStopped: fault }, fault.module);
  world.faults.on('started', onStarted);
  world.faults.on('stopped', onStopped);
  return () => {
    world.faults.off('started', onStarted);
    world.faults.off('stopped', onStopped);
  };
}
