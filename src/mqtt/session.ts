/**
 * One MQTT client of the module (of its six, §2.5) on the wire: MQTT 3.1 or 3.1.1 through
 * mqtt-packet over a socket from dial(). It carries the host's msgIDs, retransmits what is not
 * acknowledged (§2.5.1 "timeout"), keeps the connection alive (§2.5.1 "keepalive"), completes
 * QoS 2 both ways, and says why a session ended (+QMTSTAT, §3.5.2). It never formats AT text:
 * the AT side (service.ts) turns its events into results and URCs. docs/mqtt-session.md.
 *
 * Every event comes after the call that caused it has returned. Each request gets exactly one
 * final event (plus 'retransmitted' reports); a session that ends (close, disconnect, the
 * broker or the network) first ends every request still waiting with its failure result.
 * destroy() ends everything with no event at all.
 */
import { EventEmitter } from 'node:events';
import type { IPublishPacket, Packet } from 'mqtt-packet';
import type net from 'node:net';
import type { Clock } from '../clock.ts';
import type { DialNetwork } from '../net/dial.ts';
import { causeCode } from '../net/link.ts';
import { describeFailure } from '../results/index.ts';
import { type Delivery, Inflight, type InflightKind } from './session-inflight.ts';
import { Keepalive } from './session-keepalive.ts';
import { openSocket } from './session-open.ts';
import { Wire } from './session-wire.ts';
import {
  AckResult,
  type MqttClientConfig,
  type MqttSessionEvents,
  OpenResult,
  StatCode,
  type StatCodeValue,
  type SubscribeTopic,
} from './types.ts';

export interface MqttSessionOptions {
  /** For dial(); its `sslContext` resolves the "ssl" setting's context. */
  network: DialNetwork;
  /** Every timer: delivery timeout, keep-alive, PINGRESP wait, close. */
  clock: Clock;
  /** Read at open() (ssl) and at connect() (the rest). */
  config: () => MqttClientConfig;
}

export type MqttSessionState = 'idle' | 'opening' | 'open' | 'connecting' | 'connected' | 'disconnecting';

/** Where an outgoing QoS 1/2 PUBLISH is: waiting for PUBACK, PUBREC or PUBCOMP. */
type PublishStage = 'puback' | 'pubrec' | 'pubcomp' | null;

export class MqttSession extends EventEmitter<MqttSessionEvents> {
  private _state: MqttSessionState = 'idle';
  private _server: { host: string; port: number } | null = null;
  private dialing: AbortController | null = null;
  private wire: Wire | null = null;
  private keepalive: Keepalive | null = null;
  private connectTimer: unknown = null;
  /** The settings of the current connection, fixed at connect(). */
  private settings: MqttClientConfig;
  private readonly inflight: Inflight<PublishStage>;
  /** QoS 0 publishes written but not yet handed to the system (their 'published' is due). */
  private unwritten: number[] = [];
  /** Incoming QoS 2 msgIDs delivered and waiting for PUBREL (kept across a persistent session's reconnects). */
  private readonly received = new Set<number>();
  private held = false;
  /** Bumped by destroy(): deferred events of before are dropped. */
  private epoch = 0;
  /** Why open() failed, the session ended, and so on: for traces. */
  lastDetail = '';
  /** The code of the error behind a failed open() (ECONNREFUSED, ENOTFOUND, …), for `failure` records. */
  lastCause: string | undefined;

  constructor(private readonly opts: MqttSessionOptions) {
    super();
    this.settings = opts.config();
    this.inflight = new Inflight<PublishStage>(opts.clock, () => this.delivery(), () => this.held);
  }

  get state(): MqttSessionState {
    return this._state;
  }

  /** The broker as open() was given it, from open() until the session ends (AT+QMTOPEN?). */
  get server(): { host: string; port: number } | null {
    return this._server;
  }

  /** §2.5.2: dial the broker (TLS through the SSL context when "ssl" is enabled) → 'opened'. */
  open(host: string, port: number): void {
    if (this._state !== 'idle') throw new Error(`MQTT session is ${this._state}, not idle: open() refused`);
    const ssl = this.opts.config().ssl;
    const controller = new AbortController();
    this.dialing = controller;
    this._state = 'opening';
    this._server = { host, port };
    void openSocket({
      network: this.opts.network,
      host,
      port,
      tlsContext: ssl.enable === 1 ? ssl.ctx : null,
      signal: controller.signal,
    }).then((opened) => {
      if (this.dialing !== controller) {
        if (opened.ok) opened.socket.destroy();
        return;
      }
      this.dialing = null;
      if (!opened.ok) {
        this.lastDetail = describeFailure(opened.error);
        this.lastCause = causeCode(opened.error);
        this.reset();
        this.emit('opened', opened.result);
        return;
      }
      this.attach(opened.socket);
      this._state = 'open';
      this.emit('opened', OpenResult.OK);
    });
  }

  /** §2.5.4: CONNECT with the settings of connect() time → 'connected'. */
  connect(clientId: string, username?: string, password?: string): void {
    if (this._state !== 'open' || !this.wire) return this.later(() => this.emit('connected', AckResult.FAILED));
    this.settings = this.opts.config();
    const c = this.settings;
    const packet: Packet = {
      cmd: 'connect',
      protocolId: c.version === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion: c.version,
      clientId,
      clean: c.cleanSession === 1,
      keepalive: c.keepalive,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password: Buffer.from(password) } : {}),
      ...(c.will.flag === 1
        ? { will: { topic: c.will.topic, payload: Buffer.from(c.will.message), qos: c.will.qos, retain: c.will.retain === 1 } }
        : {}),
    };
    if (!this.wire.send(packet)) {
      this.lastDetail = 'CONNECT could not be sent';
      return this.later(() => this.emit('connected', AckResult.FAILED));
    }
    this._state = 'connecting';
    this.connectTimer = this.opts.clock.setTimeout(() => this.connackMissing(), this.delivery().deliveryMs);
  }

  /** §2.5.6: SUBSCRIBE with the host's msgID → 'subscribed' with the granted QoS list. */
  subscribe(msgId: number, topics: SubscribeTopic[]): void {
    const packet: Packet = { cmd: 'subscribe', messageId: msgId, subscriptions: topics.map(({ topic, qos }) => ({ topic, qos })) };
    this.request('subscribe', msgId, packet, null, () => this.emit('subscribed', msgId, AckResult.FAILED));
  }

  /** §2.5.7: UNSUBSCRIBE with the host's msgID → 'unsubscribed'. */
  unsubscribe(msgId: number, topics: string[]): void {
    const packet: Packet = { cmd: 'unsubscribe', messageId: msgId, unsubscriptions: topics };
    this.request('unsubscribe', msgId, packet, null, () => this.emit('unsubscribed', msgId, AckResult.FAILED));
  }

  /** §2.5.8: PUBLISH → 'published' (QoS 0 once written; 1 at PUBACK; 2 at PUBCOMP). */
  publish(msgId: number, qos: 0 | 1 | 2, retain: boolean, topic: string, payload: Buffer): void {
    const failed = () => this.emit('published', msgId, AckResult.FAILED);
    const packet: IPublishPacket = { cmd: 'publish', qos, dup: false, retain, topic, payload, ...(qos > 0 ? { messageId: msgId } : {}) };
    if (qos > 0) return this.request('publish', msgId, packet, qos === 1 ? 'puback' : 'pubrec', failed);
    const wire = this.wire;
    if (this._state !== 'connected' || !wire) return this.later(failed);
    const sent = wire.send(packet, (ok) => {
      if (!ok || this.wire !== wire || this.unwritten.length === 0) return; // a lost connection reports them
      this.emit('published', this.unwritten.shift()!, AckResult.OK);
    });
    if (!sent) return this.later(failed);
    this.unwritten.push(msgId);
  }

  /** §2.5.5: DISCONNECT, then close the socket → 'disconnected' (the broker drops the will). */
  disconnect(): void {
    const wire = this.wire;
    if (!wire || this._state === 'disconnecting') return this.later(() => this.emit('disconnected', -1));
    const mqtt = this._state === 'connected' || this._state === 'connecting';
    this.finish(wire, () => this.emit('disconnected', 0), mqtt ? { cmd: 'disconnect' } : undefined);
  }

  /** §2.5.3: close the socket (no DISCONNECT: the broker publishes the will) → 'closed'. */
  close(): void {
    if (this._state === 'opening') {
      this.abortDial();
      this.reset();
      this.later(() => {
        this.emit('opened', OpenResult.SOCKET_FAILED);
        this.emit('closed', 0);
      });
      return;
    }
    const wire = this.wire;
    if (!wire || this._state === 'disconnecting') return this.later(() => this.emit('closed', -1));
    this.finish(wire, () => this.emit('closed', 0));
  }

  /** Reset or power-off: the socket is dropped (the broker publishes the will) and nothing is reported, now or later. */
  destroy(): void {
    this.epoch++;
    this.abortDial();
    this.wire?.destroy();
    this.inflight.clear();
    this.unwritten = [];
    this.reset();
  }

  /** Stop reading the socket (the host is backed up): the broker is pushed back by TCP. */
  pause(): void {
    this.held = true;
    this.wire?.hold();
  }

  /** Deliver what waited, then read the socket again. */
  resume(): void {
    this.held = false;
    this.wire?.release();
  }

  /** Whether a request with this msgID is waiting for its ack (its msgID is taken on the wire). */
  pending(kind: InflightKind, msgId: number): boolean {
    return this.inflight.has(kind, msgId);
  }

  // ---- requests and acks

  /** Sends a request that waits for an ack, retransmitted per "timeout". */
  private request(kind: InflightKind, msgId: number, packet: Packet, stage: PublishStage, failed: () => void): void {
    const wire = this.wire;
    if (this._state !== 'connected' || !wire) return this.later(failed);
    // A msgID still in flight cannot go out again (MQTT): this request fails, the first goes on.
    if (this.inflight.has(kind, msgId)) {
      this.lastDetail = `${kind} msgID ${msgId} is still waiting for its ack`;
      return this.later(failed);
    }
    if (!wire.send(packet)) return this.later(failed);
    const again: Packet = packet.cmd === 'publish' ? { ...packet, dup: true } : packet;
    this.inflight.track(kind, msgId, stage, {
      resend: () => void this.wire?.send(again),
      retransmitted: (n) => this.reportRetransmission(kind, msgId, n),
      gaveUp: failed,
    });
  }

  private reportRetransmission(kind: InflightKind, msgId: number, count: number): void {
    if (this.settings.timeout.report === 1) this.emit('retransmitted', kind, msgId, count);
  }

  private onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case 'connack':
        return this.onConnack(packet.returnCode ?? 0, packet.sessionPresent);
      case 'publish':
        return this.onPublish(packet);
      case 'puback':
        if (this.inflight.stage('publish', packet.messageId!) === 'puback' && this.inflight.settle('publish', packet.messageId!))
          this.emit('published', packet.messageId!, AckResult.OK);
        return;
      case 'pubrec':
        return this.onPubrec(packet.messageId!);
      case 'pubcomp':
        if (this.inflight.stage('publish', packet.messageId!) === 'pubcomp' && this.inflight.settle('publish', packet.messageId!))
          this.emit('published', packet.messageId!, AckResult.OK);
        return;
      case 'pubrel':
        this.received.delete(packet.messageId!);
        this.wire?.send({ cmd: 'pubcomp', messageId: packet.messageId! });
        return;
      case 'suback':
        if (this.inflight.settle('subscribe', packet.messageId!))
          this.emit('subscribed', packet.messageId!, AckResult.OK, (packet.granted as number[]).slice());
        return;
      case 'unsuback':
        if (this.inflight.settle('unsubscribe', packet.messageId!)) this.emit('unsubscribed', packet.messageId!, AckResult.OK);
        return;
      case 'pingresp':
        this.keepalive?.answered();
        return;
      default:
        return; // nothing else is for a client
    }
  }

  private onConnack(returnCode: number, sessionPresent: boolean): void {
    if (this._state !== 'connecting') return;
    this.opts.clock.clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (returnCode !== 0) {
      this.lastDetail = `CONNACK refused the connection (return code ${returnCode})`;
      this.emit('connected', AckResult.OK, returnCode);
      return this.ended(StatCode.CONNACK_REFUSED, this.lastDetail);
    }
    // The broker kept no session (CONNACK session present 0): neither does the client.
    if (!sessionPresent) this.received.clear();
    this._state = 'connected';
    const wire = this.wire!;
    this.keepalive = new Keepalive({
      clock: this.opts.clock,
      keepaliveMs: this.settings.keepalive * 1000,
      waitMs: this.delivery().deliveryMs,
      lastSent: () => wire.lastSent,
      ping: () => void wire.send({ cmd: 'pingreq' }),
      timedOut: () => this.ended(StatCode.PING_TIMEOUT, 'no PINGRESP within the delivery time'),
      held: () => this.held,
    });
    this.emit('connected', AckResult.OK, 0);
  }

  /** Incoming PUBLISH: delivered once; QoS 1 acked after the event, QoS 2 acked with PUBREC (a DUP resend is not delivered again). */
  private onPublish(packet: IPublishPacket): void {
    if (this._state !== 'connected') return;
    const msgId = packet.messageId ?? 0;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (packet.qos === 2) {
      if (!this.received.has(msgId)) {
        this.received.add(msgId);
        this.emit('message', msgId, packet.topic, payload, 2);
      }
      this.wire?.send({ cmd: 'pubrec', messageId: msgId });
      return;
    }
    this.emit('message', packet.qos === 1 ? msgId : 0, packet.topic, payload, packet.qos);
    if (packet.qos === 1) this.wire?.send({ cmd: 'puback', messageId: msgId });
  }

  /** PUBREC: PUBREL goes out and is waited for (retransmitted like the PUBLISH was). */
  private onPubrec(msgId: number): void {
    const stage = this.inflight.stage('publish', msgId);
    const pubrel: Packet = { cmd: 'pubrel', messageId: msgId };
    this.wire?.send(pubrel);
    if (stage !== 'pubrec') return; // a repeated PUBREC (PUBREL re-sent), or one for a publish given up: the broker still wants its PUBREL
    this.inflight.advance('publish', msgId, 'pubcomp', {
      resend: () => void this.wire?.send(pubrel),
      retransmitted: (n) => this.reportRetransmission('publish', msgId, n),
      gaveUp: () => this.emit('published', msgId, AckResult.FAILED),
    });
  }

  // ---- the end of a session

  private connackMissing(): void {
    this.connectTimer = null;
    if (this._state !== 'connecting') return;
    if (this.held) {
      this.connectTimer = this.opts.clock.setTimeout(() => this.connackMissing(), this.delivery().deliveryMs);
      return;
    }
    this.emit('connected', AckResult.RETRANSMITTED);
    this.ended(StatCode.CONNECT_TIMEOUT, 'no CONNACK within the delivery time');
  }

  /** The connection ended without the host asking: pending requests fail, then 'stat'. */
  private ended(code: StatCodeValue, reason: string): void {
    const wire = this.wire;
    this.lastDetail = reason;
    wire?.destroy();
    this.failPending();
    this.reset();
    this.emit('stat', code, reason);
  }

  /** The wire reported its end (the broker or the network closed it). */
  private lost(wire: Wire, reason: string): void {
    if (this.wire !== wire) return;
    if (this._state === 'connecting') {
      this.opts.clock.clearTimeout(this.connectTimer);
      this.emit('connected', AckResult.RETRANSMITTED);
    }
    this.ended(StatCode.CLOSED, reason);
  }

  /** Host-asked end (disconnect, close): pending requests fail, the socket closes, then `done`. */
  private finish(wire: Wire, done: () => void, last?: Packet): void {
    const epoch = this.epoch;
    if (this._state === 'connecting') this.later(() => this.emit('connected', AckResult.RETRANSMITTED));
    this._state = 'disconnecting';
    this.opts.clock.clearTimeout(this.connectTimer);
    this.keepalive?.stop();
    this.keepalive = null;
    const pending = this.takePending();
    void wire.close(this.delivery().deliveryMs, last).then(() => {
      if (this.epoch !== epoch) return;
      pending();
      this.reset();
      done();
    });
  }

  private failPending(): void {
    this.takePending()();
  }

  /** Stops waiting for every ack now; the returned function reports them failed. */
  private takePending(): () => void {
    const waiting = this.inflight.clear();
    const unwritten = this.unwritten.splice(0);
    return () => {
      for (const msgId of unwritten) this.emit('published', msgId, AckResult.FAILED);
      for (const { kind, msgId } of waiting) {
        if (kind === 'publish') this.emit('published', msgId, AckResult.FAILED);
        else if (kind === 'subscribe') this.emit('subscribed', msgId, AckResult.FAILED);
        else this.emit('unsubscribed', msgId, AckResult.FAILED);
      }
    };
  }

  // ---- plumbing

  private attach(socket: net.Socket): void {
    const wire: Wire = new Wire(socket, this.opts.clock, {
      packet: (packet) => {
        if (this.wire === wire) this.onPacket(packet);
      },
      ended: (reason) => this.lost(wire, reason),
    });
    this.wire = wire;
    if (this.held) wire.hold();
  }

  /** Back to idle: no socket, no timers (the inflight table is emptied by the caller). */
  private reset(): void {
    this.opts.clock.clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.keepalive?.stop();
    this.keepalive = null;
    this.wire = null;
    this.dialing = null;
    this._state = 'idle';
    this._server = null;
  }

  private abortDial(): void {
    this.dialing?.abort(new Error('MQTT session closed'));
    this.dialing = null;
  }

  private delivery(): Delivery {
    return { deliveryMs: this.settings.timeout.deliverySeconds * 1000, count: this.settings.timeout.count };
  }

  /** Runs `fn` after the current call returns, unless destroy() came first. */
  private later(fn: () => void): void {
    const epoch = this.epoch;
    queueMicrotask(() => {
      if (this.epoch === epoch) fn();
    });
  }
}
