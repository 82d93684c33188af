/**
 * One FC41D: owns its state and flash, wires the AT engine to the command registry,
 * boots (`ready`), restarts (`AT+QRST`), sleeps, and is the UART a transport attaches to.
 */
import { EventEmitter } from 'node:events';
import { AtEngine, type OutputInfo, type TransparentSession } from '../at/engine.ts';
import { type Clock, realClock } from '../clock.ts';
import { Registry, type RejectReason } from '../commands/registry.ts';
import { systemCommands } from '../commands/system.ts';
import { tcpipCommands } from '../commands/tcpip.ts';
import { sslCommands } from '../commands/ssl.ts';
import { wifiCommands } from '../commands/wifi.ts';
import { CertStore } from '../ssl/cert-store.ts';
import { SslContexts } from '../ssl/contexts.ts';
import { NetSockets } from '../net/socket-service.ts';
import type { SocketService } from '../net/types.ts';
import { defaultTcpipConfig, type TcpipConfig } from '../tcpip/config.ts';
import { SocketReports } from '../tcpip/reports.ts';
import { WifiService } from '../wifi/service.ts';
import { defaultWorld } from '../world/default-world.ts';
import type { World } from '../world/world.ts';
import type { HostAttachment, HostFlow, HostPort, HostSink } from '../transport/host-port.ts';
import { Flash, type SystemSettings } from './flash.ts';
import { OutputPacer } from './pacer.ts';

export const DEFAULT_MAC = 'c8:47:8c:42:00:48';

export type PowerState = 'off' | 'booting' | 'on' | 'sleeping';

export interface ModuleOptions {
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
  /** The radio world this module lives in; shared by modules that see each other. */
  world?: World;
  /** Host port of the Wi-Fi provisioning page (AT+QWEBCFG); 0 picks a free one. */
  webcfgPort?: number;
}

/** The system state that lives in RAM: loaded from flash at boot, lost on reset. */
export interface RuntimeSystem extends SystemSettings {
  lowPower: boolean;
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
  /** The provisioning page (AT+QWEBCFG) started at this URL, or stopped (null). */
  webcfg: [url: string | null];
  /** The line is free: no command running, command mode (direct-push data may go out). */
  idle: [];
  /** Every host that was backed up reads again. */
  writable: [];
  /** The outcome of an AT+QWLANOTA download, with the reason when it failed. */
  ota: [result: { ok: true; version: string } | { ok: false; reason: string }];
}

export class Fc41dModule extends EventEmitter<ModuleEvents> implements HostPort {
  readonly label: string;
  readonly mac: string;
  readonly flash: Flash;
  readonly clock: Clock;
  readonly registry: Registry<Fc41dModule>;
  readonly wifi: WifiService;
  /** TCP/UDP sockets (§2.3): the real ones, and what the host hears of them. */
  readonly net: SocketService;
  readonly sockets: SocketReports;
  /** AT+QICFG settings, back to defaults at every boot. */
  tcpip: TcpipConfig = defaultTcpipConfig();
  /** SSL contexts (AT+QSSLCFG, not saved) and certificates (AT+QSSLCERT, in flash). */
  readonly ssl: { contexts: SslContexts; certs: CertStore };
  system: RuntimeSystem;
  private powerState: PowerState = 'off';
  private readonly engine: AtEngine;
  private readonly pacer: OutputPacer | null;
  private readonly hosts = new Set<{ sink: HostSink; flow?: HostFlow; backlogged: boolean }>();
  /** Flow control towards the hosts (RTS): set while a transparent connection cannot keep up. */
  private inputHeld = false;
  private bootTimer: unknown = null;
  private readonly resetHooks: (() => void)[] = [];

  constructor(private readonly opts: ModuleOptions = {}) {
    super();
    this.label = opts.label ?? 'module 0';
    this.mac = opts.mac ?? DEFAULT_MAC;
    this.clock = opts.clock ?? realClock;
    this.flash = Flash.open(opts.flashPath);
    this.system = this.loadSystem();
    this.registry = new Registry<Fc41dModule>([...systemCommands, ...wifiCommands, ...tcpipCommands, ...sslCommands]);
    this.engine = new AtEngine({
      clock: this.clock,
      guardMs: opts.guardMs,
      echo: () => this.system.echo,
      urcEnabled: () => this.system.urc,
      dispatch: (command, ctx) => this.registry.execute(command, ctx, this, (r) => this.emit('reject', r)),
      output: (bytes, info) => this.send(bytes, info),
      onLine: (text) => this.emit('line', text),
      onHandlerError: (_command, error) => this.emit('fault', error),
      onIdle: () => this.emit('idle'),
    });
    this.wifi = new WifiService(this, opts.world ?? defaultWorld(), opts.webcfgPort);
    this.net = new NetSockets({ world: this.wifi.world, hasIp: () => this.wifi.hasIp(), clock: this.clock });
    this.sockets = new SocketReports(this);
    this.ssl = { contexts: new SslContexts(), certs: new CertStore(this.flash) };
    // A lost Wi-Fi address closes every socket, as on the real module; a reset drops them silently.
    this.wifi.station.on('ip', (ip) => ip === null && this.net.linkLost());
    this.onReset(() => {
      this.net.closeAll();
      this.sockets.reset();
    });
    this.pacer = opts.paceOutput ? new OutputPacer(this.clock, () => this.system.baud, (b) => this.deliver(b)) : null;
  }

  get state(): PowerState {
    return this.powerState;
  }

  /** HostPort: the first host to attach powers the module up. */
  attach(sink: HostSink, flow?: HostFlow): HostAttachment {
    const host = { sink, flow, backlogged: false };
    this.hosts.add(host);
    if (this.inputHeld) flow?.pause();
    if (this.powerState === 'off' && this.opts.powerOnAttach !== false) this.powerOn();
    return {
      write: (bytes) => {
        if (this.hosts.has(host)) this.input(bytes);
      },
      drained: () => {
        host.backlogged = false;
        if (!this.outputBlocked) this.emit('writable');
      },
      detach: () => {
        this.hosts.delete(host);
        if (!this.outputBlocked) this.emit('writable');
      },
    };
  }

  /** Flow control (§2.3.10 transparent mode): stop or restart taking bytes from the hosts. */
  holdInput(hold: boolean): void {
    if (hold === this.inputHeld) return;
    this.inputHeld = hold;
    for (const host of this.hosts) {
      if (hold) host.flow?.pause();
      else host.flow?.resume();
    }
  }

  /** A host is not reading: a transparent connection should leave the rest in its socket for now. */
  get outputBlocked(): boolean {
    for (const host of this.hosts) if (host.backlogged) return true;
    return false;
  }

  /** Bytes from the host's TX line. */
  input(bytes: Buffer): void {
    this.emit('input', bytes, this.engine.isPowered);
    this.engine.input(bytes);
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
  }

  /** Services register here to drop their connections on reset, sleep and power-off. */
  onReset(hook: () => void): void {
    this.resetHooks.push(hook);
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

  powerOff(): void {
    this.shutDown();
    this.setPower('off');
  }

  /** Power off for good: also stop listening to the shared world. */
  dispose(): void {
    this.powerOff();
    this.wifi.dispose();
  }

  private boot(): void {
    this.setPower('booting');
    this.system = this.loadSystem();
    this.tcpip = defaultTcpipConfig();
    this.ssl.contexts.reset();
    this.net.setAcceptMode(false);
    this.bootTimer = this.clock.setTimeout(() => {
      this.bootTimer = null;
      this.engine.boot();
      this.setPower('on');
    }, this.opts.bootMs ?? 100);
  }

  private shutDown(): void {
    this.holdInput(false);
    if (this.bootTimer !== null) this.clock.clearTimeout(this.bootTimer);
    this.bootTimer = null;
    this.engine.reset();
    for (const hook of this.resetHooks) hook();
  }

  private loadSystem(): RuntimeSystem {
    return { ...this.flash.read().system, lowPower: false };
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
    for (const host of this.hosts) if (host.sink(bytes) === false) host.backlogged = true;
  }
}
