/**
 * Scaffolding of the MqttSession tests (src/mqtt/session.ts): a session on a world with a fake
 * clock and a switchable station address, its settings in the open, waiting for its events, and
 * brokers (aedes, the scripted one) closed after each test.
 */
import assert from 'node:assert/strict';
import { Flash } from '../../src/device/flash.ts';
import type { DialNetwork } from '../../src/net/dial.ts';
import { MqttSession } from '../../src/mqtt/session.ts';
import { defaultMqttConfig, type MqttClientConfig, type MqttSessionEvents } from '../../src/mqtt/types.ts';
import { CertStore } from '../../src/ssl/cert-store.ts';
import { SslContexts } from '../../src/ssl/contexts.ts';
import { contextTls } from '../../src/ssl/tls-options.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';
import { type StartAedesOptions, startAedes, type TestAedes } from '../helpers/aedes.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { type RawBroker, startRawBroker } from '../helpers/raw-broker.ts';
import { defer, T, until } from '../net/helpers.ts';

export { defer, T, until };

export interface SessionRig {
  session: MqttSession;
  clock: FakeClock;
  /** What config() answers: change it between calls. */
  config: MqttClientConfig;
  /** The station: hasIp() answers `up`. */
  station: { up: boolean };
  contexts: SslContexts;
  certs: CertStore;
  /** Every event, in order: [name, ...args]. */
  events: unknown[][];
  world: World;
}

export interface RigOptions {
  config?: Partial<MqttClientConfig>;
  hosts?: Record<string, unknown>;
  /** Share the clock (and world) of another rig. */
  with?: SessionRig;
}

const EVENT_NAMES = ['opened', 'connected', 'retransmitted', 'subscribed', 'unsubscribed', 'published', 'message', 'disconnected', 'closed', 'stat'] as const;

export function sessionRig(options: RigOptions = {}): SessionRig {
  const clock = options.with?.clock ?? new FakeClock();
  const world = options.with?.world ?? new World(parseWorld({ hosts: options.hosts ?? {} }), clock);
  const station = { up: true };
  const contexts = new SslContexts();
  const certs = new CertStore(Flash.open());
  const config: MqttClientConfig = { ...defaultMqttConfig(), ...options.config };
  const network: DialNetwork = { world, clock, hasIp: () => station.up, sslContext: contextTls(contexts, certs) };
  const session = new MqttSession({ network, clock, config: () => config });
  const events: unknown[][] = [];
  for (const name of EVENT_NAMES) session.on(name, (...args: unknown[]) => events.push([name, ...args]));
  defer(() => session.destroy());
  return { session, clock, config, station, contexts, certs, events, world };
}

/** The next `name` event (real time limit: socket I/O). */
export function next<K extends keyof MqttSessionEvents>(
  session: MqttSession,
  name: K,
  filter: (...args: MqttSessionEvents[K]) => boolean = () => true,
  timeoutMs = T,
): Promise<MqttSessionEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: MqttSessionEvents[K]): void => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      session.off(name, listener as never);
      resolve(args);
    };
    const timer = setTimeout(() => {
      session.off(name, listener as never);
      reject(new Error(`no ${String(name)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    session.on(name, listener as never);
  });
}

/** The events recorded so far with this name. */
export function eventsNamed(r: SessionRig, name: keyof MqttSessionEvents): unknown[][] {
  return r.events.filter((e) => e[0] === name);
}

/** open() and insist on 0. */
export async function mustOpen(r: SessionRig, port: number, host = '127.0.0.1'): Promise<void> {
  const opened = next(r.session, 'opened');
  r.session.open(host, port);
  assert.deepEqual(await opened, [0], r.session.lastDetail);
  assert.equal(r.session.state, 'open');
}

/** open() and connect(), insisting on CONNACK 0. */
export async function mustConnect(r: SessionRig, port: number, clientId = 'fc41d', username?: string, password?: string): Promise<void> {
  await mustOpen(r, port);
  const connected = next(r.session, 'connected');
  r.session.connect(clientId, username, password);
  assert.equal(r.session.state, 'connecting');
  assert.deepEqual(await connected, [0, 0], r.session.lastDetail);
  assert.equal(r.session.state, 'connected');
}

/** An aedes broker closed after the test. */
export async function aedes(options: StartAedesOptions = {}): Promise<TestAedes> {
  const broker = await startAedes(options);
  defer(() => broker.close());
  return broker;
}

/** A scripted broker closed after the test. */
export async function rawBroker(): Promise<RawBroker> {
  const broker = await startRawBroker();
  defer(() => broker.close());
  return broker;
}

/** Real time for sockets to carry something that must NOT happen (a negative check). */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
