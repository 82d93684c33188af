/**
 * The MQTT group's service (§2.5, §3.5): six clients (0–5, independent of the socket ids), each
 * with its AT+QMTCFG settings, its session on the wire (session.ts) and its five buffer-mode
 * stores. Sessions connect through dial() with the SSL group's contexts and certificates. It
 * reports by events (reports.ts turns them into URCs) and prints no AT text.
 *
 * Push-back, never loss: a client stops reading its socket while its five stores are full
 * (buffer mode) or while the host is backed up (direct push), and goes on when that ends.
 */
import { EventEmitter } from 'node:events';
import { background } from '../feature/background.ts';
import type { FeatureHost } from '../feature/feature.ts';
import type { DialNetwork } from '../net/dial.ts';
import { sslDialNetwork } from '../ssl/dial-network.ts';
import { MqttSession } from './session.ts';
import { RecvStores, type StoredMessage } from './stores.ts';
import {
  type AckResultCode,
  ConnState,
  defaultMqttConfig,
  type MqttClientConfig,
  OpenResult,
  type OpenResultCode,
  StatCode,
  type StatCodeValue,
  type SubscribeTopic,
} from './types.ts';

export const MQTT_CLIENTS = 6;

export interface MqttServiceEvents {
  opened: [id: number, result: OpenResultCode];
  connected: [id: number, result: AckResultCode, returnCode?: number];
  retransmitted: [id: number, kind: 'publish' | 'subscribe' | 'unsubscribe', msgId: number, count: number];
  subscribed: [id: number, msgId: number, result: AckResultCode, granted?: number[]];
  unsubscribed: [id: number, msgId: number, result: AckResultCode];
  published: [id: number, msgId: number, result: AckResultCode];
  /** Direct push: a message for the host now. */
  message: [id: number, message: StoredMessage];
  /** Buffer mode: a message waits in this store. */
  stored: [id: number, store: number];
  disconnected: [id: number, result: 0 | -1];
  closed: [id: number, result: 0 | -1];
  stat: [id: number, code: StatCodeValue, reason: string];
}

/** Why a client's socket is not being read. */
interface Holds {
  stores: boolean;
  output: boolean;
}

export class MqttService extends EventEmitter<MqttServiceEvents> {
  /** AT+QMTCFG settings per client: not saved, back to defaults at every boot (§2.5.1). */
  configs: MqttClientConfig[] = Array.from({ length: MQTT_CLIENTS }, defaultMqttConfig);
  readonly stores = Array.from({ length: MQTT_CLIENTS }, () => new RecvStores());
  private readonly sessions: (MqttSession | null)[] = Array.from({ length: MQTT_CLIENTS }, () => null);
  private readonly holds: Holds[] = Array.from({ length: MQTT_CLIENTS }, () => ({ stores: false, output: false }));
  /**
   * Buffer mode: messages that arrived after the stores filled (already parsed from the socket
   * before the pause took effect), moved into stores as the host frees them.
   */
  private readonly waiting: StoredMessage[][] = Array.from({ length: MQTT_CLIENTS }, () => []);
  private readonly network: DialNetwork;
  /** Sessions AT+QMTCLOSE closed: they end at their `closed` event, not at a failed open. */
  private readonly closing = new WeakSet<MqttSession>();

  constructor(readonly host: FeatureHost) {
    super();
    this.network = sslDialNetwork(host);
    host.onBoot(() => {
      this.configs = Array.from({ length: MQTT_CLIENTS }, defaultMqttConfig);
    });
    // Reset, sleep, power-off: every session goes at once, silently (the broker sees the
    // connection drop and publishes the will); what was buffered is lost with the RAM.
    host.onReset(() => {
      for (let id = 0; id < MQTT_CLIENTS; id++) this.drop(id);
      for (const stores of this.stores) stores.clear();
      for (const waiting of this.waiting) waiting.length = 0;
    });
    // The Wi-Fi link went: every session ends with +QMTSTAT 1 (after the station's own report of
    // the loss, as the clients notice it after the radio does); the buffer stores keep what came.
    host.network.on('ip', (ip) => {
      if (ip !== null) return;
      const lost = this.sessions.map((session, id) => (session ? id : -1)).filter((id) => id >= 0);
      for (const id of lost) this.drop(id);
      queueMicrotask(() => {
        for (const id of lost) this.emit('stat', id, StatCode.CLOSED, 'the Wi-Fi link was lost');
      });
    });
    host.line.on('writable', () => background(host, () => this.outputFreed()));
  }

  /** The client's session, or null when it has none (not opened, or closed). */
  session(id: number): MqttSession | null {
    return this.sessions[id];
  }

  /** §2.5.4 read form: the state of each client that has a session. */
  states(): { id: number; state: number }[] {
    const out: { id: number; state: number }[] = [];
    this.sessions.forEach((session, id) => {
      if (!session) return;
      const state = session.state;
      const code =
        state === 'connected' ? ConnState.CONNECTED : state === 'connecting' ? ConnState.CONNECTING : state === 'disconnecting' ? ConnState.DISCONNECTING : ConnState.INITIALIZED;
      out.push({ id, state: code });
    });
    return out;
  }

  /** §2.5.2 read form: the server of each client that has a session. */
  servers(): { id: number; host: string; port: number }[] {
    const out: { id: number; host: string; port: number }[] = [];
    this.sessions.forEach((session, id) => {
      const server = session?.server;
      if (server) out.push({ id, ...server });
    });
    return out;
  }

  /** AT+QMTOPEN: the outcome comes as `opened` (2 at once when the client is taken). */
  open(id: number, hostname: string, port: number): void {
    if (this.sessions[id]) {
      queueMicrotask(() => this.emit('opened', id, OpenResult.OCCUPIED));
      return;
    }
    const session = new MqttSession({ network: this.network, clock: this.host.clock, config: () => this.configs[id] });
    this.sessions[id] = session;
    this.holds[id] = { stores: false, output: false };
    this.wire(id, session);
    session.open(hostname, port);
  }

  connect(id: number, clientId: string, username?: string, password?: string): boolean {
    const session = this.sessions[id];
    if (!session || session.state !== 'open') return false;
    session.connect(clientId, username, password);
    return true;
  }

  subscribe(id: number, msgId: number, topics: SubscribeTopic[]): boolean {
    const session = this.connected(id);
    session?.subscribe(msgId, topics);
    return session !== null;
  }

  unsubscribe(id: number, msgId: number, topics: string[]): boolean {
    const session = this.connected(id);
    session?.unsubscribe(msgId, topics);
    return session !== null;
  }

  publish(id: number, msgId: number, qos: 0 | 1 | 2, retain: boolean, topic: string, payload: Buffer): boolean {
    const session = this.connected(id);
    session?.publish(msgId, qos, retain, topic, payload);
    return session !== null;
  }

  /** Whether the client can publish now (checked before a prompt-form payload is read). */
  isConnected(id: number): boolean {
    return this.connected(id) !== null;
  }

  disconnect(id: number): boolean {
    const session = this.connected(id);
    session?.disconnect();
    return session !== null;
  }

  /** AT+QMTCLOSE: false when the client has no session. */
  close(id: number): boolean {
    const session = this.sessions[id];
    if (!session) return false;
    this.closing.add(session);
    session.close();
    return true;
  }

  /** AT+QMTRECV: takes buffered messages (one store, or all); a client held by full stores reads again. */
  read(id: number, store?: number): StoredMessage[] {
    const messages = this.stores[id].take(store);
    this.refill(id);
    if (this.holds[id].stores && !this.stores[id].full) {
      this.holds[id].stores = false;
      this.resumeIfFree(id);
    }
    return messages;
  }

  private connected(id: number): MqttSession | null {
    const session = this.sessions[id];
    return session && session.state === 'connected' ? session : null;
  }

  private wire(id: number, session: MqttSession): void {
    const mine = () => this.sessions[id] === session;
    session.on('opened', (result) => {
      if (!mine()) return;
      // A failed open ends the session, unless AT+QMTCLOSE came first: its `closed` ends it.
      if (result !== OpenResult.OK && !this.closing.has(session)) this.sessions[id] = null;
      if (result !== OpenResult.OK) {
        const cause = session.lastCause;
        this.host.failure({ feature: 'mqtt', result, detail: session.lastDetail, ...(cause ? { cause } : {}) });
      }
      this.emit('opened', id, result);
    });
    session.on('connected', (result, code) => mine() && this.emit('connected', id, result, code));
    session.on('retransmitted', (kind, msgId, count) => mine() && this.emit('retransmitted', id, kind, msgId, count));
    session.on('subscribed', (msgId, result, granted) => mine() && this.emit('subscribed', id, msgId, result, granted));
    session.on('unsubscribed', (msgId, result) => mine() && this.emit('unsubscribed', id, msgId, result));
    session.on('published', (msgId, result) => mine() && this.emit('published', id, msgId, result));
    session.on('message', (msgId, topic, payload) => mine() && this.received(id, { msgId, topic, payload }));
    const ended = (event: 'disconnected' | 'closed') => (result: 0 | -1) => {
      if (!mine()) return;
      this.sessions[id] = null;
      this.emit(event, id, result);
    };
    session.on('disconnected', ended('disconnected'));
    session.on('closed', ended('closed'));
    session.on('stat', (code, reason) => {
      if (!mine()) return;
      this.sessions[id] = null;
      this.emit('stat', id, code, reason);
    });
  }

  private received(id: number, message: StoredMessage): void {
    const session = this.sessions[id]!;
    if (this.configs[id].recvMode === 1) {
      this.waiting[id].push(message);
      this.refill(id);
      if (this.stores[id].full) {
        this.holds[id].stores = true;
        session.pause();
      }
      return;
    }
    this.emit('message', id, message);
    if (this.host.line.outputBlocked) {
      this.holds[id].output = true;
      session.pause();
    }
  }

  /** Moves waiting messages into free stores, announcing each (`+QMTRECV: <id>,<store>`). */
  private refill(id: number): void {
    const waiting = this.waiting[id];
    while (waiting.length > 0) {
      const store = this.stores[id].put(waiting[0]);
      if (store === null) return;
      waiting.shift();
      this.emit('stored', id, store);
    }
  }

  private outputFreed(): void {
    for (let id = 0; id < MQTT_CLIENTS; id++) {
      if (!this.holds[id].output) continue;
      this.holds[id].output = false;
      this.resumeIfFree(id);
    }
  }

  private resumeIfFree(id: number): void {
    const holds = this.holds[id];
    if (!holds.stores && !holds.output) this.sessions[id]?.resume();
  }

  /** Ends a session silently (reset, lost link). */
  private drop(id: number): void {
    const session = this.sessions[id];
    this.sessions[id] = null;
    this.holds[id] = { stores: false, output: false };
    session?.destroy();
  }
}
