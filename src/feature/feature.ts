/**
 * The seam between the module and its command groups. A feature (system, Wi-Fi, TCP/IP, SSL, and
 * later MQTT, HTTP, BLE) is one folder that exports a `Feature`: its command declarations and a
 * factory for its service, which gets only this narrow `FeatureHost` — never the module. The
 * module (src/device/module.ts) loops over the list in src/features.ts; adding a group touches
 * that list and nothing in src/device/. AT text is formatted in the group's commands and report
 * code, never in its service.
 */
import type { TransparentSession } from '../at/engine.ts';
import type { Clock } from '../clock.ts';
import type { CommandSpec, SavedSettings } from '../commands/registry.ts';
import type { World } from '../world/world.ts';
import type { FaultSink } from './background.ts';
import type { NetworkState } from './network.ts';
import type { FlashSection } from './saved.ts';
import type { z } from 'zod';

export type PowerState = 'off' | 'booting' | 'on' | 'sleeping';

/** The UART and system state in RAM: loaded from flash at every boot, lost on reset. */
export interface RuntimeSystem {
  echo: boolean;
  urc: boolean;
  baud: number;
  firmware: string;
  lowPower: boolean;
}

/** The host line as services that stream to it see it (transparent mode, direct push). */
export interface HostLine {
  /** No command running, command mode: a URC would go out at once. */
  readonly isIdle: boolean;
  /** A host is not reading (or none is attached): leave data in its socket for now. */
  readonly outputBlocked: boolean;
  ownsLine(session: TransparentSession): boolean;
  toHost(session: TransparentSession, bytes: Buffer): boolean;
  /** The session's connection ended: NO CARRIER if it owns the line. */
  endSession(session: TransparentSession): void;
  /** Flow control towards the host (RTS) for a backed-up transparent connection. */
  holdInput(hold: boolean): void;
  /** `idle`: the line is free; `writable`: every host that was backed up reads again. */
  on(event: 'idle' | 'writable', listener: () => void): void;
  off(event: 'idle' | 'writable', listener: () => void): void;
}

export interface PowerControl {
  readonly state: PowerState;
  /** AT+QRST: drop connections, forget unsaved settings, boot again. */
  restart(): void;
  /** AT+QDEEPSLEEP: silent until woken. */
  deepSleep(): void;
}

/** Per-module options that features read (part of the module's options). */
export interface FeatureOptions {
  /** Wi-Fi: host port of the provisioning page (AT+QWEBCFG); 0 picks a free one. */
  webcfgPort?: number;
  /** BLE: Wi-Fi configuration over BLE (AT+QBLEINIT=3): its service and characteristics (default ff00, ff01, ff02). */
  bleConfigUuids?: { service?: string; write?: string; notify?: string };
}

/**
 * A failing result code the module reported (+QIOPEN: 0,551, +QMTOPEN: 0,1, …) with what was
 * behind it, for the trace and the control API (issue 13): `cause` is the underlying error's code
 * (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, DEPTH_ZERO_SELF_SIGNED_CERT, …) when there is one.
 */
export interface ModuleFailure {
  /** The feature that reported it (`tcpip`, `ssl`, `mqtt`, `http`, `wifi`). */
  feature: string;
  /** The result code the host was shown. */
  result: number;
  /** Why, in words (the service's detail). */
  detail: string;
  cause?: string;
}

/** What a feature's service may use of the module. */
export interface FeatureHost extends FaultSink {
  readonly label: string;
  readonly options: Readonly<FeatureOptions>;
  readonly mac: string;
  readonly clock: Clock;
  /** The radio world (access points, hosts map) this module lives in. */
  readonly world: World;
  readonly system: RuntimeSystem;
  readonly network: NetworkState;
  readonly line: HostLine;
  readonly power: PowerControl;
  /** Reports a failing result code and its cause (the module's `failure` event). */
  failure(failure: ModuleFailure): void;
  /** Queue an unsolicited result code (chapter 3); `always` even while URCs are off. */
  urc(line: string | Buffer, opts?: { always?: boolean }): void;
  /**
   * Runs an AT command line as if typed on a second UART (Wi-Fi configuration over BLE, example
   * 4.2.3.2): `out` gets the echo (the line as given, no terminator), then every response line and
   * the final result, each followed by CRLF. Commands that want data mode or transparent mode get
   * ERROR there. Resolves to the final result.
   */
  execute(line: string, out: (text: string) => void): Promise<string>;
  /** Every text URC this module puts out (those AT+QURCCFG=0 suppresses excepted), as its line; returns a stop function. */
  watchUrcs(listener: (line: string) => void): () => void;
  /** A typed section of the flash (its schema's defaults fill a fresh flash). */
  section<T>(name: string, schema: z.ZodType<T>): FlashSection<T>;
  /** At every power-up and reset, before `ready`: load settings. */
  onBoot(hook: () => void): void;
  /** Once `ready` is out: start what runs by itself (joining the saved AP). */
  onReady(hook: () => void): void;
  /** Reset, deep sleep, power-off: drop connections silently. */
  onReset(hook: () => void): void;
  /** Another feature's service (made first if need be): SSL shares the socket table of TCP/IP. */
  use<S>(feature: Feature<S>): S;
}

export interface Feature<S> {
  /** Short name, e.g. `wifi`; the trace and the dashboard use it. */
  readonly name: string;
  /** The manual sections it implements, e.g. `2.3, 3.3`. */
  readonly sections: string;
  create(host: FeatureHost): S;
  readonly commands: readonly CommandSpec<S>[];
  /** The saved settings its `saved` commands change (registry.ts persists them). */
  saved?(service: S): SavedSettings;
  /** Freeing what outlives a power-off (listeners on the shared world). */
  dispose?(service: S): void;
}
