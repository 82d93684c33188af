/**
 * MQTT (manual §2.5, §3.5): the per-client settings of AT+QMTCFG and the contract of one client's
 * session on the wire (session.ts), which the AT side (service.ts, commands.ts, reports.ts) drives.
 * The session speaks MQTT 3.1/3.1.1 through mqtt-packet over a socket from dial(); it never
 * formats AT text.
 */

/** §2.5.1, per client 0–5; in RAM only ("The configurations are not saved"), defaults at boot. */
export interface MqttClientConfig {
  /** 3 = MQTT 3.1 (protocol MQIsdp, level 3), 4 = MQTT 3.1.1 (MQTT, level 4). */
  version: 3 | 4;
  /** 0: payloads as they are, 1: hex strings (AT+QMTPUB in, +QMTRECV out). */
  datatype: 0 | 1;
  /** TLS through SSL context `ctx` (0–5) when `enable` is 1. */
  ssl: { enable: 0 | 1; ctx: number };
  /** Keep-alive, seconds (1–3600, default 120): PINGREQ after that long without a packet sent. */
  keepalive: number;
  /** 1: clean session (default), 0: persistent. */
  cleanSession: 0 | 1;
  /** Wait this long (1–60 s, default 5) for an ack, retransmit up to `count` (1–10, default 3) times; `report` 1: a URC per retransmission. */
  timeout: { deliverySeconds: number; count: number; report: 0 | 1 };
  will: { flag: 0 | 1; qos: 0 | 1 | 2; retain: 0 | 1; topic: string; message: string };
  /** 0: direct push (+QMTRECV with the message), 1: buffer mode (+QMTRECV: <id>,<store>, then AT+QMTRECV). */
  recvMode: 0 | 1;
}

export function defaultMqttConfig(): MqttClientConfig {
  return {
    version: 4,
    datatype: 0,
    ssl: { enable: 0, ctx: 0 },
    keepalive: 120,
    cleanSession: 1,
    timeout: { deliverySeconds: 5, count: 3, report: 0 },
    will: { flag: 0, qos: 0, retain: 0, topic: '', message: '' },
    recvMode: 0,
  };
}

/** §2.5.2 <result> of +QMTOPEN. */
export const OpenResult = {
  SOCKET_FAILED: -1,
  OK: 0,
  WRONG_PARAMETER: 1,
  OCCUPIED: 2,
  NO_NETWORK: 3,
  DNS_FAILED: 4,
  CLOSED_ABNORMALLY: 5,
} as const;
export type OpenResultCode = (typeof OpenResult)[keyof typeof OpenResult];

/** §2.5.4/2.5.6–2.5.8 <result>: acked, retransmitted (still waiting), or failed/given up. */
export const AckResult = { OK: 0, RETRANSMITTED: 1, FAILED: 2 } as const;
export type AckResultCode = (typeof AckResult)[keyof typeof AckResult];

/** §3.5.2 <stat> of +QMTSTAT: why a session ended without the host asking. */
export const StatCode = {
  /** The connection closed (the broker or the network). */
  CLOSED: 1,
  /** No PINGRESP within the delivery time after a PINGREQ. */
  PING_TIMEOUT: 2,
  /** No CONNACK within the delivery time (CONNECT is sent once per connection, never retransmitted). */
  CONNECT_TIMEOUT: 3,
  /** CONNACK refused the connection. */
  CONNACK_REFUSED: 4,
} as const;
export type StatCodeValue = (typeof StatCode)[keyof typeof StatCode];

/** §2.5.4 <state> of AT+QMTCONN?. */
export const ConnState = { INITIALIZED: 1, CONNECTING: 2, CONNECTED: 3, DISCONNECTING: 4 } as const;

export interface SubscribeTopic {
  topic: string;
  qos: 0 | 1 | 2;
}

/** What a session reports; each request gets exactly one final event (plus retransmission reports). */
export interface MqttSessionEvents {
  /** open() finished (§2.5.2 results; -1 connect failed, 3 no network, 4 name not resolved). */
  opened: [result: OpenResultCode];
  /** connect() finished: 0 with the CONNACK return code (0 accepted, 1–5 refused), 1 no CONNACK in time, 2 CONNECT not sent. */
  connected: [result: AckResultCode, returnCode?: number];
  /** A retransmission of a request (only while `timeout.report` is 1): its msgID and how many so far. */
  retransmitted: [kind: 'publish' | 'subscribe' | 'unsubscribe', msgId: number, count: number];
  /** subscribe() finished: 0 with the granted QoS list (128 = refused), 2 given up or not sent. */
  subscribed: [msgId: number, result: AckResultCode, granted?: number[]];
  unsubscribed: [msgId: number, result: AckResultCode];
  /** publish() finished: QoS 0 at once when written; 1/2 on PUBACK/PUBCOMP; 2 when it gave up. */
  published: [msgId: number, result: AckResultCode];
  /** A PUBLISH from the broker, delivered once (QoS 2: on PUBREL … as MQTT requires, at the first PUBLISH). */
  message: [msgId: number, topic: string, payload: Buffer, qos: 0 | 1 | 2];
  /** disconnect() finished (DISCONNECT sent, socket closed): 0, or -1 when it could not be sent. */
  disconnected: [result: 0 | -1];
  /** close() finished. */
  closed: [result: 0 | -1];
  /** The session ended without the host asking (§3.5.2); no other event follows. */
  stat: [code: StatCodeValue, reason: string];
}
