/**
 * What the host hears of its MQTT clients (§2.5 results, §3.5 URCs), in the formats real modules
 * print (FIDELITY.md "MQTT as real modules do it"): `+QMTOPEN: 0,0`, `+QMTCONN: 0,0,0`,
 * `+QMTSUB: 1,1,0,1` (the granted QoS list after the result), `+QMTPUB: <id>,<msgid>,<result>[,<n>]`,
 * `+QMTDISC: 1,0`, `+QMTSTAT: <id>,<code>`, and `+QMTRECV: <id>,<msgid>,"<topic>",<len>,"<payload>"`
 * with the payload raw (hex while the client's datatype is 1), or `+QMTRECV: <id>,<store>` in
 * buffer mode.
 */
import type { FeatureHost } from '../feature/feature.ts';
import type { MqttService } from './service.ts';
import type { StoredMessage } from './stores.ts';
import { encodeData } from '../tcpip/encoding.ts';

export function reportMqtt(mqtt: MqttService, host: FeatureHost): void {
  const urc = (line: string) => host.urc(line);
  mqtt.on('opened', (id, result) => urc(`+QMTOPEN: ${id},${result}`));
  mqtt.on('connected', (id, result, code) => urc(`+QMTCONN: ${id},${result}${code === undefined ? '' : `,${code}`}`));
  mqtt.on('retransmitted', (id, kind, msgId, count) => urc(`${PREFIX[kind]}: ${id},${msgId},1,${count}`));
  mqtt.on('subscribed', (id, msgId, result, granted) => urc(`+QMTSUB: ${id},${msgId},${result}${granted?.length ? `,${granted.join(',')}` : ''}`));
  mqtt.on('unsubscribed', (id, msgId, result) => urc(`+QMTUNS: ${id},${msgId},${result}`));
  mqtt.on('published', (id, msgId, result) => urc(`+QMTPUB: ${id},${msgId},${result}`));
  mqtt.on('disconnected', (id, result) => urc(`+QMTDISC: ${id},${result}`));
  mqtt.on('closed', (id, result) => urc(`+QMTCLOSE: ${id},${result}`));
  mqtt.on('stat', (id, code) => urc(`+QMTSTAT: ${id},${code}`));
  mqtt.on('stored', (id, store) => urc(`+QMTRECV: ${id},${store}`));
  mqtt.on('message', (id, message) => host.urc(recvLine(id, message, mqtt.configs[id].datatype, true)));
}

const PREFIX = { publish: '+QMTPUB', subscribe: '+QMTSUB', unsubscribe: '+QMTUNS' } as const;

/**
 * One received message as `+QMTRECV: <id>,<msgid>,"<topic>",<len>,"<payload>"`: the payload's
 * bytes as they came (binary-safe) or as hex, `<len>` its byte count. Framed for a URC
 * (`framed`) or as an information line's bytes.
 */
export function recvLine(id: number, message: StoredMessage, datatype: number, framed: boolean): Buffer {
  const head = `+QMTRECV: ${id},${message.msgId},"${message.topic}",${message.payload.length},"`;
  const parts = [Buffer.from(head, 'utf8'), encodeData(message.payload, datatype), Buffer.from('"', 'latin1')];
  if (framed) return Buffer.concat([CRLF, ...parts, CRLF]);
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n', 'latin1');
