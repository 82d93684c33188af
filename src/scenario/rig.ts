/**
 * Everything one scenario runs on, started in order and closed in reverse, even after a failure:
 * a seeded World, the default world's broker and httpbin (not in a replay: no network), the
 * modules (`module i`, MAC moduleMac(i)), a TCP transport each on 127.0.0.1 (and a PTY where the
 * host command names `{ptyN}`), the trace, the checkers, coverage, the cassette, and the host.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverChecker, type Violation } from '../checker/index.ts';
import { realClock } from '../clock.ts';
import type { CoverageRecorder } from '../coverage/index.ts';
import { moduleMac } from '../device/mac.ts';
import { Fc41dModule } from '../device/module.ts';
import { Cassette, type NetMode } from '../replay/index.ts';
import type { HostAttachment } from '../transport/host-port.ts';
import { startPtyTransport } from '../transport/pty.ts';
import { startTcpTransport } from '../transport/tcp.ts';
import { TraceHub } from '../trace-hub.ts';
import { BROKER_HOST, startWorldBroker, type WorldBroker } from '../world/broker.ts';
import { HTTPBIN_HOST, type Httpbin, startWorldHttpbin } from '../world/httpbin.ts';
import type { WorldConfig } from '../world/schema.ts';
import { World } from '../world/world.ts';
import { BackendLog, type Observation, observeBroker, storedObservations } from './backend.ts';
import type { ModuleStreams, StepContext } from './context.ts';
import { LineCursor, TextCursor } from './cursor.ts';
import { expandPlaceholders, HostProcess, placeholderModules } from './host-process.ts';
import type { Scenario } from './schema.ts';
import { Transcript } from './transcript.ts';

export interface RigOptions {
  seed: number;
  net: NetMode;
  cassettePath: string;
  check: 'off' | 'warn' | 'strict';
  coverage?: CoverageRecorder;
  log: (line: string) => void;
  /** The scenario file's folder: the host runs there. */
  cwd: string;
}

/** What a run leaves behind once the rig is closed. */
export interface RigRecord {
  outputs: Buffer[];
  transcript: string;
  trace: string;
  violations: Violation[];
  hostLog: string;
  /** Problems while closing (a cassette that could not be saved). */
  problems: string[];
}

export class Rig {
  readonly modules: Fc41dModule[] = [];
  readonly streams: ModuleStreams[] = [];
  readonly backend = new BackendLog();
  readonly taken: Observation[] = [];
  readonly trace = new TraceHub(0);
  /** Descriptions of connections a replay lacked (World's `replay-miss`). */
  readonly replayMisses: string[] = [];
  host: HostProcess | null = null;
  /** Modules no host drives: attached here so they power up (`send` steps drive them). */
  readonly internallyAttached: number[] = [];
  private readonly outputs: Buffer[][] = [];
  private readonly traceLines: string[] = [];
  private readonly transcript: Transcript;
  private readonly checkers: DriverChecker[] = [];
  private readonly closers: (() => unknown)[] = [];
  private readonly attachments: HostAttachment[] = [];
  private cassette: Cassette | null = null;
  private broker: WorldBroker | null = null;
  private httpbin: Httpbin | null = null;
  private tcpAddresses: string[] = [];
  private ptyPaths: (string | undefined)[] = [];

  private constructor(
    readonly scenario: Scenario,
    readonly world: World,
    private readonly opts: RigOptions,
  ) {
    this.transcript = new Transcript(scenario.modules);
  }

  /** Starts everything but the host; a failure closes what had started, then throws. */
  static async start(scenario: Scenario, config: WorldConfig, opts: RigOptions): Promise<Rig> {
    const world = new World(config, realClock, { seed: opts.seed });
    const rig = new Rig(scenario, world, opts);
    try {
      await rig.startUp();
      return rig;
    } catch (e) {
      await rig.close();
      throw e;
    }
  }

  /** What the step executors use. */
  context(signal: AbortSignal): StepContext {
    return {
      modules: this.modules,
      streams: this.streams,
      world: this.world,
      trace: this.trace,
      backend: this.backend,
      backendFixed: this.opts.net === 'replay',
      taken: this.taken,
      host: this.host,
      faults: new Map(),
      signal,
    };
  }

  private async startUp(): Promise<void> {
    const { scenario, world, opts } = this;
    this.closers.push(this.trace.subscribe((record) => this.traceLines.push(JSON.stringify(record))));
    this.trace.attachWorld(world);
    await this.startNet();
    for (let i = 0; i < scenario.modules; i++) this.addModule(i);
    for (const [i, module] of this.modules.entries()) {
      const tcp = await startTcpTransport('127.0.0.1', 0, module);
      this.closers.push(() => tcp.close());
      this.tcpAddresses[i] = `${tcp.address.host}:${tcp.address.port}`;
    }
    const named = placeholderModules(scenario.host?.spawn ?? '');
    if (named.pty.size > 0) {
      const dir = mkdtempSync(join(tmpdir(), 'fc41d-scenario-'));
      this.closers.push(() => rmSync(dir, { recursive: true, force: true }));
      for (const i of [...named.pty].sort()) {
        const pty = await startPtyTransport(join(dir, `pty${i}`), this.modules[i]!);
        this.closers.push(() => pty.close());
        this.ptyPaths[i] = pty.path;
      }
    }
    // Modules no host drives are attached here, so they power up and `send` steps reach them.
    const driven = scenario.host?.attach ? new Set([0]) : new Set([...named.tcp, ...named.pty]);
    for (const [i, module] of this.modules.entries()) {
      if (driven.has(i)) continue;
      this.attachments.push(module.attach(() => true));
      this.internallyAttached.push(i);
    }
    for (const [i, address] of this.tcpAddresses.entries()) opts.log(`module ${i} listening on tcp ${address}`);
  }

  /** The broker and httpbin (live, record), or just their names (replay), and the cassette. */
  private async startNet(): Promise<void> {
    const { world, opts } = this;
    if (opts.net === 'replay') {
      // No network: the cassette plays the far side. The names must still resolve.
      for (const name of [BROKER_HOST, HTTPBIN_HOST]) world.addHost(name, '127.0.0.1');
    } else {
      this.broker = await startWorldBroker(world);
      if (this.broker) this.closers.push(observeBroker(this.broker, this.backend));
      this.httpbin = await startWorldHttpbin(world, {
        onRequest: (req) => this.backend.push({ kind: 'http', method: req.method, path: req.path }),
      });
    }
    this.setUpCassette();
  }

  // ---- Integration with the other parts of `fc41d test` (src/replay/, src/checker/, src/coverage/) ----

  /** Record / replay: the world's net mode and the cassette; a replay's backend log starts from it. */
  private setUpCassette(): void {
    const { world, opts } = this;
    world.on('replay-miss', (description) => this.replayMisses.push(description));
    if (opts.net === 'live') return;
    this.cassette = opts.net === 'record' ? Cassette.empty() : Cassette.load(opts.cassettePath);
    world.setNet(opts.net, this.cassette);
    if (opts.net === 'replay') for (const o of storedObservations(this.cassette.extra)) this.backend.push(o);
  }

  /** The checker and coverage watch a module from its first byte. */
  private watchModule(module: Fc41dModule): void {
    if (this.opts.check !== 'off') this.checkers.push(new DriverChecker(module));
    const detach = this.opts.coverage?.attach(module);
    if (detach) this.closers.push(detach);
  }

  /** A record run's cassette, with the observations expect-backend took. */
  private saveCassette(): void {
    if (this.opts.net !== 'record' || !this.cassette) return;
    this.cassette.extra.backend = this.taken;
    this.cassette.save(this.opts.cassettePath);
    this.opts.log(`cassette saved: ${this.opts.cassettePath}`);
  }

  // ---- end of the integration points ----

  private addModule(i: number): void {
    const module = new Fc41dModule({
      world: this.world,
      label: `module ${i}`,
      mac: moduleMac(i),
      ...(this.scenario.echo === undefined ? {} : { echo: this.scenario.echo }),
    });
    this.modules.push(module);
    const streams: ModuleStreams = { commands: new LineCursor(), output: new TextCursor() };
    this.streams.push(streams);
    const outputs: Buffer[] = [];
    this.outputs.push(outputs);
    module.on('output', (bytes) => {
      outputs.push(Buffer.from(bytes));
      this.transcript.add(i, '<', bytes);
      streams.output.push(bytes.toString('latin1'));
    });
    module.on('input', (bytes) => this.transcript.add(i, '>', bytes));
    module.on('line', (text) => streams.commands.push(text));
    module.on('fault', (error) => this.opts.log(`module ${i} fault: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    this.trace.attach(module);
    this.watchModule(module);
  }

  /** Starts the scenario's host command (placeholders filled in). */
  spawnHost(): HostProcess | null {
    const spec = this.scenario.host;
    if (spec?.spawn === undefined) return null;
    const command = expandPlaceholders(spec.spawn, { tcp: this.tcpAddresses, pty: this.ptyPaths });
    this.opts.log(`host: ${command}`);
    this.host = new HostProcess(command, { cwd: this.opts.cwd, env: spec.env });
    return this.host;
  }

  /** Module 0's TCP address (`attach: true` hosts connect there). */
  get tcpAddress(): string {
    return this.tcpAddresses[0] ?? '';
  }

  /** Stops the host, then everything else in reverse; returns what the run left. */
  async close(): Promise<RigRecord> {
    const problems: string[] = [];
    const hostExit = await this.host?.stop();
    if (hostExit) this.trace.write({ dir: 'info', scenario: { hostExit } });
    for (const attachment of this.attachments.splice(0)) attachment.detach();
    const violations = this.checkers.flatMap((c) => c.finish());
    try {
      this.saveCassette();
    } catch (e) {
      problems.push(`cannot save the cassette ${this.opts.cassettePath}: ${(e as Error).message}`);
    }
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    for (const module of this.modules) module.dispose();
    this.world.dispose();
    await this.broker?.close().catch(() => {});
    await this.httpbin?.close().catch(() => {});
    const trace = this.traceLines.join('\n');
    this.trace.close();
    return {
      outputs: this.outputs.map((chunks) => Buffer.concat(chunks)),
      transcript: this.transcript.toString(),
      trace: trace === '' ? '' : `${trace}\n`,
      violations,
      hostLog: this.host?.output ?? '',
      problems,
    };
  }
}
