/**
 * One FC41D: owns its state and flash, wires the AT engine to the command registry,
 * boots (`ready`), restarts (`AT+QRST`), sleeps, and is the UART a transport attaches to.
 */
import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { AtEngine, type OutputInfo, type TransparentSession } from '../at/engine.ts';
import { type Clock, realClock } from '../clock.ts';
import { ESCAPE_GUARD_MS } from '../at/escape.ts';
import { Registry, type RejectReason } from '../commands/registry.ts';
import { background } from '../feature/background.ts';
import type { Feature, FeatureHost, FeatureOptions, HostLine, ModuleFailure, PowerState, RuntimeSystem } from '../feature/feature.ts';
import { uartNoise } from '../faults/uart-noise.ts';
import { NetworkState } from '../feature/network.ts';
import type { FlashSection } from '../feature/saved.ts';
import { FEATURES } from '../features.ts';
import { defaultWorld } from '../world/default-world.ts';
import type { World } from '../world/world.ts';
import type { AttachOptions, HostAttachment, HostChange, HostFlow, HostPort, HostSink } from '../transport/host-port.ts';
import { runDetached } from '../commands/detached-line.ts';
import { Flash } from './flash.ts';
import { DEFAULT_MAC } from './mac.ts';
import { HeldOutput } from './held-output.ts';
import { OutputPacer } from './pacer.ts';


/** Why the module holds the hosts' input: a transparent socket is backed up, or the engine holds too much input. */
export type InputHoldReason = 'transparent' | 'input';

export type { ModuleFailure, PowerState, RuntimeSystem };

export interface ModuleOptions extends FeatureOptions {
  /** Flash file; settings live in memory when absent. */
  flashPath?: string;
  /** Wi-Fi MAC address (§2.1.11), lower-case with colons. */
  mac?: string;
  /** Name in logs and traces. */
  label?: string;
  /** Time from power-up or reset to `ready`. */
  bootMs?: number;
  /** Pace output at the configured baud rate (§2.1.7). */
  paceOutput?: boolean;
  /** Power up when the first host attaches (default true). */
  powerOnAttach?: boolean;
  clock?: Clock;
  /** The `+++` guard time; 1000 ms as in §2.3.11. Shorter only for tests. */
  guardMs?: number;
  /** How long a counted inline payload may pause between bytes before ERROR (the engine's 5 s). Shorter only for tests. */
  payloadIdleMs?: number;
  /** The radio world this module lives in; shared by modules that see each other. */
  world?: World;
  /**
   * Echo (§2.1.3) of a fresh flash: a module that was once told AT+QECHO=0 boots with echo off,
   * which some drivers assume. Ignored when the flash file already exists (it keeps its own).
   */
  echo?: boolean;
  /** The command groups it has (src/features.ts by default). */
  features?: readonly Feature<unknown>[];
}

export interface ModuleEvents {
  /** Bytes the module sent to its UART, with what they were. */
  output: [bytes: Buffer, info: OutputInfo];
  /** Bytes the host sent; `accepted` is false while the module is not running. */
  input: [bytes: Buffer, accepted: boolean];
  /** A complete command line was received. */
  line: [text: string];
  /** A command was answered ERROR, and why. */
  reject: [reason: RejectReason];
  /** Power state changes. */
  power: [state: PowerState];
  /** A handler threw (answered ERROR); a bug in the emulator, never in the host. */
  fault: [error: unknown];
  /** The line is free: no command running, command mode (direct-push data may go out). */
  idle: [];
  /** Every host that was backed up reads again. */
  writable: [];
  /** A host connected, disconnected or was refused (transports that can tell, e.g. TCP). */
  host: [change: HostChange];
  /** Output no host could take and the UART's buffer could not hold (no host attached): lost. */
  overflow: [bytes: Buffer];
  /** A failing result code went to the host, with the error behind it (traces: ECONNREFUSED behind 551). */
  failure: [failure: ModuleFailure];
}

export class Fc41dModule extends EventEmitter<ModuleEvents> implements HostPort {
  readonly label: string;
  readonly mac: string;
  readonly flash: Flash;
  readonly clock: Clock;
  readonly registry = new Registry();
  /** The radio world this module lives in. */
  readonly world: World;
  /** The station's address, shared by the features (set by Wi-Fi). */
  readonly network = new NetworkState();
  /** The UART and system state in RAM, loaded from flash at every boot (changed in place). */
  readonly system: RuntimeSystem;
  private powerState: PowerState = 'off';
  private readonly engine: AtEngine;
  private readonly pacer: OutputPacer | null;
  private readonly hosts = new Set<{ sink: HostSink; flow?: HostFlow; backlogged: boolean; peer?: string }>();
  /** What the module said while no host was attached; the next host reads it. */
  private readonly held = new HeldOutput();
  /** Bytes lost since the last host left (the held output was full). */
  private lostWithoutHost = 0;
  /**
   * Flow control towards the hosts (RTS), by reason: a transparent connection cannot keep up, or
   * the engine holds too much input while a command runs. The host goes on when no reason is left.
   */
  private readonly inputHolds = new Set<InputHoldReason>();
  /** The engine holds more URCs than it should: producers of network-driven URCs wait. */
  private urcBacklogged = false;
  private bootTimer: unknown = null;
  private readonly hooks = { boot: [] as (() => void)[], ready: [] as (() => void)[], reset: [] as (() => void)[] };
  /** Each feature's service, made in the order of the list (or earlier, when another uses it). */
  private readonly services = new Map<Feature<unknown>, unknown>();
  private readonly making = new Set<Feature<unknown>>();
  private readonly host: FeatureHost;
  /** FeatureHost.watchUrcs listeners (Wi-Fi configuration over BLE notifies URCs). */
  private readonly urcWatchers = new Set<(line: string) => void>();

  constructor(private readonly opts: ModuleOptions = {}) {
    super();
    this.label = opts.label ?? 'module 0';
    this.mac = opts.mac ?? DEFAULT_MAC;
    this.clock = opts.clock ?? realClock;
    this.flash = Flash.open(opts.flashPath, opts.echo === undefined ? {} : { echo: opts.echo });
    this.system = { ...this.flash.read().system, lowPower: false };
    this.world = opts.world ?? defaultWorld();
    this.engine = new AtEngine({
      clock: this.clock,
      guardMs: opts.guardMs,
      payloadIdleMs: opts.payloadIdleMs,
      echo: () => this.system.echo,
      urcEnabled: () => this.system.urc,
      dispatch: (command, ctx) => this.registry.execute(command, ctx, (r) => this.emit('reject', r)),
      output: (bytes, info) => this.send(bytes, info),
      onLine: (text) => this.emit('line', text),
      onHandlerError: (_command, error) => this.emit('fault', error),
      onIdle: () => this.emit('idle'),
      countedPayload: (lineSoFar) => this.registry.countedLength(lineSoFar),
      onInputPressure: (high) => this.holdInput(high, 'input'),
      onUrcPressure: (high) => {
        this.urcBacklogged = high;
        if (!high) this.writableAgain();
      },
    });
    this.host = this.featureHost();
    for (const feature of opts.features ?? FEATURES) this.use(feature);
    this.pacer = opts.paceOutput
      ? new OutputPacer(this.clock, () => this.system.baud, (b) => this.deliver(b), () => this.writableAgain())
      : null;
  }

  get state(): PowerState {
    return this.powerState;
  }

  /** The `+++` guard time (§2.3.11), for observers such as the driver checker. */
  get guardMs(): number {
    return this.opts.guardMs ?? ESCAPE_GUARD_MS;
  }

  /** A feature's service, for the embedding program and tests (e.g. the Wi-Fi service's events). */
  service<S>(feature: Feature<S>): S {
    if (!this.services.has(feature as Feature<unknown>)) throw new Error(`${this.label} has no ${feature.name} feature`);
    return this.services.get(feature as Feature<unknown>) as S;
  }

  /** Makes a feature's service (once) and adds its commands to the registry. */
  private use<S>(feature: Feature<S>): S {
    const key = feature as Feature<unknown>;
    if (this.services.has(key)) return this.services.get(key) as S;
    if (this.making.has(key)) throw new Error(`features use each other in a circle: ${feature.name}`);
    this.making.add(key);
    const service = feature.create(this.host);
    this.making.delete(key);
    this.services.set(key, service);
    this.registry.add(feature.commands, service, feature.saved?.(service));
    return service;
  }

  /** What a feature's service may use of the module (src/feature/feature.ts). */
  private featureHost(): FeatureHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const module = this;
    const line: HostLine = {
      get isIdle() {
        return module.isIdle;
      },
      get outputBlocked() {
        return module.outputBlocked;
      },
      ownsLine: (session) => this.ownsLine(session),
      toHost: (session, bytes) => this.toHost(session, bytes),
      endSession: (session) => this.endSession(session),
      holdInput: (hold) => this.holdInput(hold, 'transparent'),
      on: (event, listener) => void this.on(event, listener),
      off: (event, listener) => void this.off(event, listener),
    };
    return {
      label: this.label,
      options: this.opts,
      mac: this.mac,
      clock: this.clock,
      world: this.world,
      system: this.system,
      network: this.network,
      line,
      power: {
        get state() {
          return module.state;
        },
        restart: () => this.restart(),
        deepSleep: () => this.deepSleep(),
      },
      emit: (event, error) => this.emit(event, error),
      failure: (failure) => void this.emit('failure', { ...failure }),
      urc: (text, opts) => this.urc(text, opts),
      execute: (text, out) => runDetached(this.registry, text, out, (r) => this.emit('reject', r)),
      watchUrcs: (listener) => {
        this.urcWatchers.add(listener);
        return () => void this.urcWatchers.delete(listener);
      },
      section: <T>(name: string, schema: z.ZodType<T>): FlashSection<T> => this.flash.section(name, schema),
      onBoot: (hook) => void this.hooks.boot.push(hook),
      onReady: (hook) => void this.hooks.ready.push(hook),
      onReset: (hook) => void this.hooks.reset.push(hook),
      use: (feature) => this.use(feature),
    };
  }

  /**
   * HostPort: the first host to attach powers the module up. A host first reads what the module
   * said while no host was attached (held-output.ts); with `reset` (DTR wired to reset) its
   * arrival power-cycles the module instead, and it reads a fresh `ready`.
   */
  attach(sink: HostSink, flow?: HostFlow, opts: AttachOptions = {}): HostAttachment {
    const host = { sink, flow, backlogged: false, peer: opts.peer };
    if (opts.reset && this.powerState !== 'off') this.powerOff();
    this.hosts.add(host);
    if (opts.peer !== undefined) {
      this.emit('host', { event: 'connected', peer: opts.peer, ...(this.lostWithoutHost > 0 ? { lost: this.lostWithoutHost } : {}) });
    }
    this.lostWithoutHost = 0;
    if (this.inputHeld) flow?.pause();
    this.releaseHeld();
    if (this.powerState === 'off' && (this.opts.powerOnAttach !== false || opts.reset)) this.powerOn();
    // Services that stopped for want of a host (transparent data, direct push) go on; not from
    // inside attach(), before the transport has wired the rest of the host up.
    queueMicrotask(() => this.writableAgain());
    return {
      write: (bytes) => {
        if (this.hosts.has(host)) this.input(bytes);
      },
      drained: () => {
        host.backlogged = false;
        this.writableAgain();
      },
      detach: () => {
        if (!this.hosts.delete(host)) return;
        if (host.peer !== undefined) this.emit('host', { event: 'disconnected', peer: host.peer });
        this.writableAgain();
      },
    };
  }

  /** HostPort: a transport turned a host away (the wire is taken). */
  refused(peer: string): void {
    this.emit('host', { event: 'refused', peer });
  }

  /** Flow control: stop or restart taking bytes from the hosts, for one reason (the others stay). */
  holdInput(hold: boolean, reason: InputHoldReason = 'transparent'): void {
    const was = this.inputHeld;
    if (hold) this.inputHolds.add(reason);
    else this.inputHolds.delete(reason);
    if (was === this.inputHeld) return;
    for (const host of this.hosts) {
      if (hold) host.flow?.pause();
      else host.flow?.resume();
    }
  }

  /** Whether the hosts are told to stop sending (RTS). */
  get inputHeld(): boolean {
    return this.inputHolds.size > 0;
  }

  /**
   * A host is not reading, the pacer holds more than its bound, or no host is attached at all
   * (the held output is for what the module itself says, not for data): a transparent
   * connection should leave the rest in its socket for now.
   */
  get outputBlocked(): boolean {
    if (this.urcBacklogged) return true;
    if (this.hosts.size === 0) return true;
    if (this.pacer?.backlogged) return true;
    for (const host of this.hosts) if (host.backlogged) return true;
    return false;
  }

  /** Bytes from the host's TX line. */
  input(bytes: Buffer): void {
    this.emit('input', bytes, this.engine.isPowered);
    // A uart-noise fault garbles what the module hears (the trace keeps what the host sent).
    if (this.world.faults.size > 0) bytes = uartNoise(this.world.faults, this.label, 'to-module', bytes);
    if (bytes.length > 0) this.engine.input(bytes);
  }

  /** Whether a URC would go out at once (no command running, command mode). */
  get isIdle(): boolean {
    return this.engine.isIdle;
  }

  /** Transparent mode (§2.3.10): whether this session owns the line now. */
  ownsLine(session: TransparentSession): boolean {
    return this.engine.owns(session);
  }

  /** Transparent mode: bytes from the connection to the host; false when it does not own the line. */
  toHost(session: TransparentSession, bytes: Buffer): boolean {
    return this.engine.toHost(session, bytes);
  }

  /** The session's connection ended: NO CARRIER if it owns the line; ATO cannot resume it. */
  endSession(session: TransparentSession): void {
    this.engine.endSession(session);
  }

  /** Queue an unsolicited result code (chapter 3). */
  urc(line: string | Buffer, opts?: { always?: boolean }): void {
    this.engine.urc(line, opts);
    if (typeof line !== 'string' || !this.engine.isPowered || (!opts?.always && !this.system.urc)) return;
    for (const watcher of this.urcWatchers) watcher(line);
  }

  /** Run at every reset, deep sleep and power-off (features use their host's onReset). */
  onReset(hook: () => void): void {
    this.hooks.reset.push(hook);
  }

  powerOn(): void {
    if (this.powerState === 'off') this.boot();
  }

  /** `AT+QRST` (§2.1.1): drop connections, forget unsaved settings, boot again. */
  restart(): void {
    this.shutDown();
    this.boot();
  }

  /** `AT+QDEEPSLEEP` (§2.1.10): silent until woken; waking is a fresh boot. */
  deepSleep(): void {
    this.shutDown();
    this.setPower('sleeping');
  }

  wake(): boolean {
    if (this.powerState !== 'sleeping') return false;
    this.boot();
    return true;
  }

  /** Power off: what the UART had not sent yet is gone too. */
  powerOff(): void {
    this.shutDown();
    this.held.clear();
    this.pacer?.clear();
    this.setPower('off');
  }

  /** Power off for good: also stop listening to the shared world. */
  dispose(): void {
    this.powerOff();
    for (const [feature, service] of this.services) background(this, () => feature.dispose?.(service));
  }

  private boot(): void {
    this.setPower('booting');
    Object.assign(this.system, this.flash.read().system, { lowPower: false });
    // A failing service must not stop the boot (a module that never says ready is wedged).
    for (const hook of this.hooks.boot) background(this, hook);
    this.bootTimer = this.clock.setTimeout(() => {
      this.bootTimer = null;
      this.engine.boot();
      this.setPower('on');
      for (const hook of this.hooks.ready) background(this, hook);
    }, this.opts.bootMs ?? 100);
  }

  private shutDown(): void {
    this.holdInput(false);
    if (this.bootTimer !== null) this.clock.clearTimeout(this.bootTimer);
    this.bootTimer = null;
    this.engine.reset();
    for (const hook of this.hooks.reset) background(this, hook); // one failing hook must not stop the others
  }

  private setPower(state: PowerState): void {
    this.powerState = state;
    this.emit('power', state);
  }

  private send(bytes: Buffer, info: OutputInfo): void {
    this.emit('output', bytes, info);
    if (this.pacer) this.pacer.send(bytes);
    else this.deliver(bytes);
  }

  private deliver(bytes: Buffer): void {
    // A uart-noise fault garbles what the hosts hear (the `output` event keeps what the module said).
    if (this.world.faults.size > 0) bytes = uartNoise(this.world.faults, this.label, 'to-host', bytes);
    if (bytes.length === 0) return;
    if (this.hosts.size === 0) return this.hold(bytes);
    for (const host of this.hosts) if (host.sink(bytes) === false) host.backlogged = true;
  }

  /** No host: keep the bytes for the next one, or count them lost when the held output is full. */
  private hold(bytes: Buffer): void {
    if (this.held.push(bytes)) return;
    this.lostWithoutHost += bytes.length;
    this.emit('overflow', bytes);
  }

  /** A newly attached host reads the held output first (paced like the rest when pacing). */
  private releaseHeld(): void {
    const held = this.held.take();
    if (held.length === 0) return;
    if (this.pacer) this.pacer.prepend(held);
    else this.deliver(held);
  }

  private writableAgain(): void {
    if (!this.outputBlocked) this.emit('writable');
  }
}
