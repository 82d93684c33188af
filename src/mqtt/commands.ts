/**
 * MQTT commands, manual §2.5.1–2.5.9 (example 4.5), with the aliases and formats of
 * FIDELITY.md. Each command answers OK (or ERROR for bad input) at once; the outcome comes as
 * the URC reports.ts prints.
 */
import { PROMPT_SEND } from '../at/framing.ts';
import { declare, param } from '../commands/declare.ts';
import type { Args } from '../commands/params.ts';
import { type CommandSpec, declaredForm, type WriteForm } from '../commands/registry.ts';
import { decodeData } from '../tcpip/encoding.ts';
import { recvLine } from './reports.ts';
import type { MqttService } from './service.ts';
import { STORES } from './stores.ts';
import type { MqttClientConfig, SubscribeTopic } from './types.ts';

type Spec = CommandSpec<MqttService>;
const { form, keyed } = declare<MqttService>();

const clientId = param.int('clientID', { min: 0, max: 5 });
const msgId = param.int('msgID', { min: 1, max: 65535 });
const topic = (name: `topic${number}`, optional: boolean) => param.str(name, { quoted: true, minLength: 1, maxLength: 512, optional });
const qos = (name: `qos${number}`, optional: boolean) => param.int(name, { values: [0, 1, 2], optional });
/** Up to five topics at a time (§2.5.6, §2.5.7 NOTE). */
const MAX_TOPICS = 5;
/** §2.5.8 <payload_length>. */
export const MAX_PAYLOAD = 1500;
/** The prompt form waits this long for the host's next byte (as AT+QISEND does). */
const PAYLOAD_IDLE_TIMEOUT_MS = 10_000;

const subscribeParams = [
  clientId,
  msgId,
  ...Array.from({ length: MAX_TOPICS }, (_, i) => [topic(`topic${i + 1}`, i > 0), qos(`qos${i + 1}`, i > 0)] as const).flat(),
];
const unsubscribeParams = [clientId, msgId, ...Array.from({ length: MAX_TOPICS }, (_, i) => topic(`topic${i + 1}`, i > 0))];

type IntSpec = NonNullable<Parameters<typeof param.int>[1]>;

/** AT+QMTCFG="<name>",<clientID>[,<values>]: without values, the current ones (`+QMTCFG: "<name>",<id>,…`). */
function setting<const N extends string>(
  name: string,
  values: readonly { name: N; spec: IntSpec }[],
  show: (c: MqttClientConfig) => (string | number)[],
  apply: (c: MqttClientConfig, v: number[]) => void,
): WriteForm<MqttService> {
  const params = [clientId, ...values.map((v) => param.int(v.name, { ...v.spec, optional: true }))];
  // Generic names (N) are literal for every caller; declaredForm skips form()'s check, which cannot see that here.
  return declaredForm<MqttService, typeof params>(params, (ctx, mqtt, args) => {
    const id = args.int('clientID');
    const given = values.map((v) => args.optInt(v.name));
    if (given.every((v) => v === undefined)) {
      ctx.line(`+QMTCFG: "${name}",${id},${show(mqtt.configs[id]).join(',')}`);
      return 'OK';
    }
    if (given.some((v) => v === undefined)) return 'ERROR';
    apply(mqtt.configs[id], given as number[]);
    return 'OK';
  });
}

const recvMode = setting(
  'recv mode',
  [{ name: 'recvmode', spec: { values: [0, 1] } }],
  (c) => [c.recvMode],
  (c, [v]) => void (c.recvMode = v as 0 | 1),
);

const willParams = [
  clientId,
  param.int('will_flag', { values: [0, 1], optional: true }),
  param.int('will_QoS', { values: [0, 1, 2], optional: true }),
  param.int('will_retain', { values: [0, 1], optional: true }),
  param.str('will_topic', { quoted: true, maxLength: 256, optional: true }),
  param.str('will_message', { quoted: true, maxLength: 256, optional: true }),
] as const;

function will(): WriteForm<MqttService> {
  return form(willParams, (ctx, mqtt, args) => {
    const id = args.int('clientID');
    const config = mqtt.configs[id];
    if (!args.has('will_flag')) {
      const w = config.will;
      ctx.line(`+QMTCFG: "will",${id},${w.flag},${w.qos},${w.retain},"${w.topic}","${w.message}"`);
      return 'OK';
    }
    const flag = args.int('will_flag') as 0 | 1;
    const topicGiven = args.optStr('will_topic');
    // A will that is on needs its topic; `AT+QMTCFG="will",<id>,0` turns it off alone.
    if (flag === 1 && (!topicGiven || !args.has('will_QoS') || !args.has('will_retain'))) return 'ERROR';
    config.will = {
      flag,
      qos: (args.optInt('will_QoS') ?? 0) as 0 | 1 | 2,
      retain: (args.optInt('will_retain') ?? 0) as 0 | 1,
      topic: topicGiven ?? '',
      message: args.optStr('will_message') ?? '',
    };
    return 'OK';
  });
}

const sslParams = [clientId, param.int('SSL_enable', { values: [0, 1], optional: true }), param.int('SSL_ctxID', { min: 0, max: 5, optional: true })] as const;

const qmtcfg = keyed(param.str('setting', { quoted: true }), {
  version: setting('version', [{ name: 'vsn', spec: { values: [3, 4] } }], (c) => [c.version], (c, [v]) => void (c.version = v as 3 | 4)),
  datatype: setting('datatype', [{ name: 'data_type', spec: { values: [0, 1] } }], (c) => [c.datatype], (c, [v]) => void (c.datatype = v as 0 | 1)),
  ssl: form(sslParams, (ctx, mqtt, args) => {
    const id = args.int('clientID');
    const config = mqtt.configs[id];
    if (!args.has('SSL_enable')) {
      ctx.line(`+QMTCFG: "ssl",${id},${config.ssl.enable}${config.ssl.enable ? `,${config.ssl.ctx}` : ''}`);
      return 'OK';
    }
    config.ssl = { enable: args.int('SSL_enable') as 0 | 1, ctx: args.optInt('SSL_ctxID') ?? config.ssl.ctx };
    return 'OK';
  }),
  keepalive: setting('keepalive', [{ name: 'kalive_tm', spec: { min: 1, max: 3600 } }], (c) => [c.keepalive], (c, [v]) => void (c.keepalive = v)),
  session: setting('session', [{ name: 'clean_session', spec: { values: [0, 1] } }], (c) => [c.cleanSession], (c, [v]) => void (c.cleanSession = v as 0 | 1)),
  timeout: setting(
    'timeout',
    [
      { name: 'delivery_tm', spec: { min: 1, max: 60 } },
      { name: 'delivery_cnt', spec: { min: 1, max: 10 } },
      { name: 'timeout_report', spec: { values: [0, 1] } },
    ],
    (c) => [c.timeout.deliverySeconds, c.timeout.count, c.timeout.report],
    (c, [tm, cnt, report]) => void (c.timeout = { deliverySeconds: tm, count: cnt, report: report as 0 | 1 }),
  ),
  will: will(),
  'recv mode': recvMode,
  // FIDELITY.md: real hosts also write "recv/mode".
  'recv/mode': recvMode,
});

/** The topics (and QoS) of AT+QMTSUB: complete pairs, in order, none after a gap. */
function subscribeTopics(args: Args<typeof subscribeParams>): SubscribeTopic[] | null {
  const out: SubscribeTopic[] = [];
  for (let i = 1; i <= MAX_TOPICS; i++) {
    const t = args.optStr(`topic${i}`);
    const q = args.optInt(`qos${i}`);
    if (t === undefined && q === undefined) continue;
    if (t === undefined || q === undefined || out.length !== i - 1) return null;
    out.push({ topic: t, qos: q as 0 | 1 | 2 });
  }
  return out;
}

const publishParams = [
  clientId,
  param.int('msgID', { min: 0, max: 65535 }),
  param.int('QoS', { values: [0, 1, 2] }),
  param.int('retain', { values: [0, 1] }),
  param.str('topic', { quoted: true, minLength: 1, maxLength: 512 }),
  param.int('payload_len', { min: 1, max: MAX_PAYLOAD }),
  param.str('payload', { quoted: true, optional: true, maxLength: 2 * MAX_PAYLOAD, counted: 'payload_len' }),
] as const;

export const mqttCommands: Spec[] = [
  {
    // 2.5.1: not saved; every query form answers `+QMTCFG: "<name>",<id>,<values>`.
    name: '+QMTCFG',
    section: '2.5.1',
    summary: 'Configure optional parameters of MQTT client',
    test: [
      '+QMTCFG: "version",(0-5),(3,4)',
      '+QMTCFG: "datatype",(0-5),(0,1)',
      '+QMTCFG: "ssl",(0-5),(0,1),(0-5)',
      '+QMTCFG: "keepalive",(0-5),(1-3600)',
      '+QMTCFG: "session",(0-5),(0,1)',
      '+QMTCFG: "timeout",(0-5),(1-60),(1-10),(0,1)',
      '+QMTCFG: "will",(0-5),(0,1),(0-2),(0,1),"willtopic","willmessage"',
      '+QMTCFG: "recv mode",(0-5),(0,1)',
    ],
    write: qmtcfg,
  },
  {
    // 2.5.2 (spelt QMTOOPEN there): OK, then +QMTOPEN: <id>,<result> (-1…5).
    name: '+QMTOPEN',
    aliases: ['+QMTOOPEN'],
    section: '2.5.2',
    summary: 'Open a session between MQTT client and server',
    test: ['+QMTOPEN: (0-5),"hostname",(1-65535)'],
    read: (ctx, mqtt) => {
      for (const s of mqtt.servers()) ctx.line(`+QMTOPEN: ${s.id},"${s.host}",${s.port}`);
      return 'OK';
    },
    write: form([clientId, param.str('hostname', { quoted: true, minLength: 1, maxLength: 255 }), param.int('port', { min: 1, max: 65535 })], (_ctx, mqtt, args) => {
      mqtt.open(args.int('clientID'), args.str('hostname').trim(), args.int('port'));
      return 'OK';
    }),
  },
  {
    // 2.5.3: OK, then +QMTCLOSE: <id>,<result>; -1 when the client has no session.
    name: '+QMTCLOSE',
    section: '2.5.3',
    summary: 'Close a session between MQTT client and server',
    write: form([clientId], (_ctx, mqtt, args) => {
      const id = args.int('clientID');
      if (!mqtt.close(id)) queueMicrotask(() => mqtt.emit('closed', id, -1));
      return 'OK';
    }),
  },
  {
    // 2.5.4 (spelt QMTCNN, QMTCOMP in the manual): OK, then +QMTCONN: <id>,<result>[,<ret_code>];
    // ERROR when the client is not open (or already connected).
    name: '+QMTCONN',
    aliases: ['+QMTCNN', '+QMTCOMP'],
    section: '2.5.4',
    summary: 'Connect a client to MQTT server',
    test: ['+QMTCONN: (0-5),"client_id entity","username","password"'],
    read: (ctx, mqtt) => {
      for (const s of mqtt.states()) ctx.line(`+QMTCONN: ${s.id},${s.state}`);
      return 'OK';
    },
    write: form(
      [
        clientId,
        param.str('client_id', { quoted: true, minLength: 1, maxLength: 256 }),
        param.str('username', { quoted: true, maxLength: 256, optional: true }),
        param.str('password', { quoted: true, maxLength: 256, optional: true }),
      ],
      (_ctx, mqtt, args) =>
        mqtt.connect(args.int('clientID'), args.str('client_id'), args.optStr('username'), args.optStr('password')) ? 'OK' : 'ERROR',
    ),
  },
  {
    // 2.5.5: OK, then +QMTDISC: <id>,<result>. The will is not published (a clean DISCONNECT).
    name: '+QMTDISC',
    aliases: ['+QMTCDISC'],
    section: '2.5.5',
    summary: 'Disconnect a client from MQTT server',
    write: form([clientId], (_ctx, mqtt, args) => (mqtt.disconnect(args.int('clientID')) ? 'OK' : 'ERROR')),
  },
  {
    // 2.5.6 (spelt QMITSUB): up to 5 topics; OK, then +QMTSUB: <id>,<msgid>,<result>[,<granted QoS list>].
    name: '+QMTSUB',
    aliases: ['+QMITSUB'],
    section: '2.5.6',
    summary: 'Subscribe to topics',
    test: ['+QMTSUB: (0-5),(1-65535),"topic",(0-2)'],
    write: form(subscribeParams, (_ctx, mqtt, args) => {
      const topics = subscribeTopics(args);
      if (!topics) return 'ERROR';
      return mqtt.subscribe(args.int('clientID'), args.int('msgID'), topics) ? 'OK' : 'ERROR';
    }),
  },
  {
    // 2.5.7: up to 5 topics; OK, then +QMTUNS: <id>,<msgid>,<result>.
    name: '+QMTUNS',
    section: '2.5.7',
    summary: 'Unsubscribe from topics',
    test: ['+QMTUNS: (0-5),(1-65535),"topic"'],
    write: form(unsubscribeParams, (_ctx, mqtt, args) => {
      const topics: string[] = [];
      for (let i = 1; i <= MAX_TOPICS; i++) {
        const t = args.optStr(`topic${i}`);
        if (t === undefined) continue;
        if (topics.length !== i - 1) return 'ERROR';
        topics.push(t);
      }
      return mqtt.unsubscribe(args.int('clientID'), args.int('msgID'), topics) ? 'OK' : 'ERROR';
    }),
  },
  {
    // 2.5.8: inline payload counted by <payload_len> (hex while datatype is 1), or the prompt form
    // of production firmware (FIDELITY.md): `> `, exactly <payload_len> bytes, OK. Then
    // +QMTPUB: <id>,<msgid>,<result>[,<n>]. msgID 0 for QoS 0 and only for it.
    name: '+QMTPUB',
    section: '2.5.8',
    summary: 'Publish message via MQTT server',
    test: ['+QMTPUB: (0-5),(0-65535),(0-2),(0,1),"topic",(1-1500),"payload"'],
    write: form(
      publishParams,
      async (ctx, mqtt, args) => {
        const id = args.int('clientID');
        const msgIdValue = args.int('msgID');
        const qosValue = args.int('QoS') as 0 | 1 | 2;
        const len = args.int('payload_len');
        if ((qosValue === 0) !== (msgIdValue === 0)) return 'ERROR';
        if (!mqtt.isConnected(id)) return 'ERROR';
        const inline = args.optBytes('payload');
        let payload: Buffer | null;
        if (inline === undefined) {
          // Nothing half-read reaches the broker: a payload that does not complete is ERROR.
          const data = await ctx.readData(len, { prompt: PROMPT_SEND, idleTimeoutMs: PAYLOAD_IDLE_TIMEOUT_MS });
          if (!data.complete) return 'ERROR';
          payload = data.bytes;
        } else {
          payload = mqtt.configs[id].datatype === 0 ? inline : decodeData(inline.toString('latin1'), 1);
        }
        if (!payload || payload.length !== len) return 'ERROR';
        return mqtt.publish(id, msgIdValue, qosValue, args.int('retain') === 1, args.str('topic'), payload) ? 'OK' : 'ERROR';
      },
      { payloadScale: (mqtt, args) => (mqtt.configs[args.int('clientID')]?.datatype === 1 ? 2 : 1) },
    ),
  },
  {
    // 2.5.9 (spelt QMTREREV in 2.5.1): buffered messages of a client, all or one store; the read
    // form gives each open client's store status, store 4 first.
    name: '+QMTRECV',
    aliases: ['+QMTREREV'],
    section: '2.5.9',
    summary: 'Read messages published by MQTT server',
    test: [],
    read: (ctx, mqtt) => {
      mqtt.stores.forEach((stores, id) => {
        if (mqtt.session(id) || stores.status().includes(1)) ctx.line(`+QMTRECV: ${id},${stores.status().join(',')}`);
      });
      return 'OK';
    },
    write: form([clientId, param.int('storeID', { min: 0, max: STORES - 1, optional: true })], (ctx, mqtt, args) => {
      const id = args.int('clientID');
      for (const message of mqtt.read(id, args.optInt('storeID'))) {
        ctx.raw(Buffer.concat([CRLF, recvLine(id, message, mqtt.configs[id].datatype, false), CRLF]));
      }
      return 'OK';
    }),
  },
];

const CRLF = Buffer.from('\r\n', 'latin1');
