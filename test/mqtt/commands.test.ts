/**
 * MQTT over AT (§2.5, §3.5, example 4.5) against a real aedes broker, with the formats real
 * modules print (FIDELITY.md "MQTT as real modules do it").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectAsync } from 'mqtt';
import { mqttModule, openAndConnect, startBroker, T } from './at-rig.ts';

test('example 4.5: version, open, connect, subscribe, publish and the message back (direct push)', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker);
  try {
    assert.deepEqual(await m.at('AT+QMTCFG="version",1,4'), { lines: [], final: 'OK' });
    m.host.send('AT+QMTOPEN=1,"broker.test",1883');
    assert.equal(await m.host.expect('+QMTOPEN: 1,0\r\n', T), '\r\nOK\r\n\r\n+QMTOPEN: 1,0\r\n');
    m.host.send('AT+QMTCONN=1,"client1","test","test"');
    assert.equal(await m.host.expect('+QMTCONN: 1,0,0\r\n', T), '\r\nOK\r\n\r\n+QMTCONN: 1,0,0\r\n');
    m.host.send('AT+QMTSUB=1,1,"quectel",1');
    assert.equal(await m.host.expect('+QMTSUB: 1,1,0,1\r\n', T), '\r\nOK\r\n\r\n+QMTSUB: 1,1,0,1\r\n');
    m.host.send('AT+QMTPUB=1,1,1,0,"quectel",3,"123"');
    const text = await m.host.expect(/\+QMTRECV: 1,\d+,"quectel",3,"123"\r\n/, T);
    assert.match(text, /\r\nOK\r\n/);
    assert.match(text, /\r\n\+QMTPUB: 1,1,0\r\n/);
    assert.deepEqual(await m.at('AT+QMTCONN?'), { lines: ['+QMTCONN: 1,3'], final: 'OK' });
    assert.deepEqual(await m.at('AT+QMTOPEN?'), { lines: ['+QMTOPEN: 1,"broker.test",1883'], final: 'OK' });
    m.host.send('AT+QMTUNS=1,2,"quectel"');
    await m.host.expect('+QMTUNS: 1,2,0\r\n', T);
    m.host.send('AT+QMTDISC=1');
    await m.host.expect('+QMTDISC: 1,0\r\n', T);
    assert.deepEqual(await m.at('AT+QMTCONN?'), { lines: [], final: 'OK' });
  } finally {
    m.close();
    await broker.close();
  }
});

test('a message published from outside arrives as +QMTRECV with the payload raw: quotes, commas, CR/LF', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker);
  const outside = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'outside' });
  try {
    await openAndConnect(m, 0, 'dev0');
    m.host.send('AT+QMTSUB=0,7,"cmd/#",1,"other",0');
    assert.equal(await m.host.expect('+QMTSUB: 0,7,0,1,0\r\n', T), '\r\nOK\r\n\r\n+QMTSUB: 0,7,0,1,0\r\n');
    const payload = '{"a":"b, c","d":"line\r\nnext"}';
    outside.publish('cmd/led', payload, { qos: 1 });
    const got = await m.host.expect(new RegExp(`\\+QMTRECV: 0,\\d+,"cmd/led",${Buffer.byteLength(payload)},"`), T);
    assert.match(got, /\+QMTRECV: 0,[1-9]\d*,/, 'a QoS 1 delivery carries its msgID');
    assert.equal(await m.host.expect(`${payload}"\r\n`, T), `${payload}"\r\n`);
  } finally {
    outside.end(true);
    m.close();
    await broker.close();
  }
});

test('inline JSON with quotes, the prompt form, and QoS 2, each delivered exactly to an outside subscriber', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker);
  const outside = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'watcher' });
  const seen: string[] = [];
  try {
    await outside.subscribeAsync('up', { qos: 2 });
    outside.on('message', (_t, p) => seen.push(p.toString('latin1')));
    await openAndConnect(m, 2, 'dev2');
    const json = '{"temp":21.5,"note":"a \\"quoted\\" word, and a comma"}';
    m.host.send(`AT+QMTPUB=2,5,1,0,"up",${Buffer.byteLength(json)},"${json}"`);
    await m.host.expect('+QMTPUB: 2,5,0\r\n', T);
    const raw = 'prompt\r\n"form",;\x00end';
    m.host.send(`AT+QMTPUB=2,6,2,0,"up",${raw.length}`);
    await m.host.expect('\r\n> ', T);
    m.host.write(raw);
    assert.equal(await m.host.expect('+QMTPUB: 2,6,0\r\n', T), '\r\nOK\r\n\r\n+QMTPUB: 2,6,0\r\n');
    m.host.send('AT+QMTPUB=2,0,0,0,"up",4,"qos0"');
    await m.host.expect('+QMTPUB: 2,0,0\r\n', T);
    for (let i = 0; i < 200 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    // MQTT orders messages within one QoS level only: compare what arrived, not its order.
    assert.deepEqual([...seen].sort(), [json, raw, 'qos0'].sort());
  } finally {
    outside.end(true);
    m.close();
    await broker.close();
  }
});

test('buffer mode: +QMTRECV: <id>,<store>, the read forms, and five stores that push back', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker);
  const outside = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'feeder' });
  try {
    assert.deepEqual(await m.at('AT+QMTCFG="recv/mode",0,1'), { lines: [], final: 'OK' });
    assert.deepEqual(await m.at('AT+QMTCFG="recv mode",0'), { lines: ['+QMTCFG: "recv mode",0,1'], final: 'OK' });
    await openAndConnect(m, 0, 'buffered');
    m.host.send('AT+QMTSUB=0,1,"feed",1');
    await m.host.expect('+QMTSUB: 0,1,0,1\r\n', T);
    for (let i = 0; i < 7; i++) outside.publish('feed', `m${i}`, { qos: 1 });
    for (let store = 0; store < 5; store++) await m.host.expect(`+QMTRECV: 0,${store}\r\n`, T);
    assert.deepEqual(await m.at('AT+QMTRECV?'), { lines: ['+QMTRECV: 0,1,1,1,1,1'], final: 'OK' });
    const one = await m.at('AT+QMTRECV=0,2');
    assert.equal(one.lines.length, 1);
    assert.match(one.lines[0], /^\+QMTRECV: 0,\d+,"feed",2,"m2"$/);
    // The freed store takes the next message that waited (the broker was pushed back, nothing lost).
    await m.host.expect('+QMTRECV: 0,2\r\n', T);
    const all = await m.at('AT+QMTRECV=0');
    assert.deepEqual(all.lines.map((l) => /"(m\d)"$/.exec(l)?.[1]), ['m0', 'm1', 'm5', 'm3', 'm4']);
    await m.host.expect('+QMTRECV: 0,0\r\n', T);
    assert.match((await m.at('AT+QMTRECV=0')).lines.join(), /"m6"/);
    assert.deepEqual(await m.at('AT+QMTRECV?'), { lines: ['+QMTRECV: 0,0,0,0,0,0'], final: 'OK' });
  } finally {
    outside.end(true);
    m.close();
    await broker.close();
  }
});

test('hex datatype: 1500 bytes with quotes, commas, CR/LF and NUL round-trip byte for byte', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker);
  try {
    assert.deepEqual(await m.at('AT+QMTCFG="datatype",3,1'), { lines: [], final: 'OK' });
    assert.deepEqual(await m.at('AT+QMTCFG="datatype",3'), { lines: ['+QMTCFG: "datatype",3,1'], final: 'OK' });
    await openAndConnect(m, 3, 'hexer');
    m.host.send('AT+QMTSUB=3,1,"bin",1');
    await m.host.expect('+QMTSUB: 3,1,0,1\r\n', T);
    const payload = Buffer.alloc(1500);
    for (let i = 0; i < payload.length; i++) payload[i] = '",\r\n\0'.charCodeAt(i % 5) ^ (i % 7 === 0 ? 0x80 : 0);
    const hex = payload.toString('hex').toUpperCase();
    m.host.send(`AT+QMTPUB=3,9,1,0,"bin",1500,"${hex}"`);
    const got = await m.host.expect(/\+QMTRECV: 3,\d+,"bin",1500,"[0-9A-F]+"\r\n/, T);
    assert.equal(/"bin",1500,"([0-9A-F]+)"/.exec(got)![1], hex);
    assert.match(got, /\+QMTPUB: 3,9,0/);
  } finally {
    m.close();
    await broker.close();
  }
});

test('bad input gets ERROR or the manual\'s result, and the next command works', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker);
  const ERROR = { lines: [], final: 'ERROR' };
  try {
    assert.deepEqual(await m.at('AT+QMTPUB=0,1,1,0,"t",1,"x"'), ERROR, 'publish before open');
    assert.deepEqual(await m.at('AT+QMTCONN=0,"c"'), ERROR, 'connect before open');
    await openAndConnect(m, 0, 'strict');
    m.host.send('AT+QMTOPEN=0,"broker.test",1883');
    assert.equal(await m.host.expect('+QMTOPEN: 0,2\r\n', T), '\r\nOK\r\n\r\n+QMTOPEN: 0,2\r\n', 'occupied');
    for (const line of [
      'AT+QMTPUB=0,0,1,0,"t",1,"x"', // msgID 0 with QoS 1
      'AT+QMTPUB=0,3,0,0,"t",1,"x"', // msgID with QoS 0
      'AT+QMTPUB=0,1,1,0,"t",0,""', // length 0
      'AT+QMTPUB=0,1,1,0,"t",1501', // over 1500
      'AT+QMTPUB=0,1,1,0,"t",5,"abc"', // shorter than its length
      'AT+QMTPUB=6,1,1,0,"t",1,"x"', // client 6
      'AT+QMTSUB=0,1,"a",0,"b",0,"c",0,"d",0,"e",0,"f",0', // a sixth topic
      'AT+QMTSUB=0,0,"a",0', // msgID 0
      'AT+QMTSUB=0,1,"a"', // topic without its QoS
      'AT+QMTPUB=1,1,1,0,"t",1,"x"', // a client that is not open
      'AT+QMTCFG="keepalive",0,0',
      'AT+QMTCFG="timeout",0,5,3', // incomplete
      'AT+QMTCFG="will",0,1', // a will without its topic
      'AT+QMTCFG="nosuch",0',
    ]) {
      assert.deepEqual(await m.at(line), ERROR, line);
      assert.deepEqual(await m.at('AT'), { lines: [], final: 'OK' }, `after ${line}`);
    }
    m.host.send('AT+QMTCLOSE=4');
    await m.host.expect('+QMTCLOSE: 4,-1\r\n', T);
    m.host.send('AT+QMTPUB=0,2,1,0,"t",2,"ok"');
    await m.host.expect('+QMTPUB: 0,2,0\r\n', T);
  } finally {
    m.close();
    await broker.close();
  }
});

test('every AT+QMTCFG query form answers the defaults, and settings are per client', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker, { join: false });
  try {
    const q = async (line: string) => (await m.at(line)).lines;
    assert.deepEqual(await q('AT+QMTCFG="version",0'), ['+QMTCFG: "version",0,4']);
    assert.deepEqual(await q('AT+QMTCFG="datatype",0'), ['+QMTCFG: "datatype",0,0']);
    assert.deepEqual(await q('AT+QMTCFG="ssl",0'), ['+QMTCFG: "ssl",0,0']);
    assert.deepEqual(await q('AT+QMTCFG="keepalive",0'), ['+QMTCFG: "keepalive",0,120']);
    assert.deepEqual(await q('AT+QMTCFG="session",0'), ['+QMTCFG: "session",0,1']);
    assert.deepEqual(await q('AT+QMTCFG="timeout",0'), ['+QMTCFG: "timeout",0,5,3,0']);
    assert.deepEqual(await q('AT+QMTCFG="will",0'), ['+QMTCFG: "will",0,0,0,0,"",""']);
    assert.deepEqual(await q('AT+QMTCFG="recv mode",0'), ['+QMTCFG: "recv mode",0,0']);
    await m.at('AT+QMTCFG="ssl",5,1,2');
    await m.at('AT+QMTCFG="keepalive",5,30');
    await m.at('AT+QMTCFG="will",5,1,1,1,"dead/5","bye"');
    await m.at('AT+QMTCFG="timeout",5,2,4,1');
    assert.deepEqual(await q('AT+QMTCFG="ssl",5'), ['+QMTCFG: "ssl",5,1,2']);
    assert.deepEqual(await q('AT+QMTCFG="keepalive",5'), ['+QMTCFG: "keepalive",5,30']);
    assert.deepEqual(await q('AT+QMTCFG="will",5'), ['+QMTCFG: "will",5,1,1,1,"dead/5","bye"']);
    assert.deepEqual(await q('AT+QMTCFG="timeout",5'), ['+QMTCFG: "timeout",5,2,4,1']);
    assert.deepEqual(await q('AT+QMTCFG="keepalive",4'), ['+QMTCFG: "keepalive",4,120'], 'client 4 keeps its own');
    // Not saved: a restart brings the defaults back.
    m.host.send('AT+QRST');
    await m.host.expect('\r\nready\r\n', T);
    assert.deepEqual(await q('AT+QMTCFG="keepalive",5'), ['+QMTCFG: "keepalive",5,120']);
  } finally {
    m.close();
    await broker.close();
  }
});

test('Wi-Fi matters: no IP → +QMTOPEN: <id>,3; losing the AP ends every session with +QMTSTAT 1, stores kept', async () => {
  const broker = await startBroker();
  const offline = await mqttModule(broker, { join: false });
  try {
    offline.host.send('AT+QMTOPEN=0,"broker.test",1883');
    assert.equal(await offline.host.expect('+QMTOPEN: 0,3\r\n', T), '\r\nOK\r\n\r\n+QMTOPEN: 0,3\r\n');
  } finally {
    offline.close();
  }
  const m = await mqttModule(broker);
  const outside = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'sender' });
  try {
    await m.at('AT+QMTCFG="recv mode",1,1');
    await openAndConnect(m, 0, 'a');
    await openAndConnect(m, 1, 'b');
    m.host.send('AT+QMTSUB=1,1,"keep",1');
    await m.host.expect('+QMTSUB: 1,1,0,1\r\n', T);
    outside.publish('keep', 'before the AP went', { qos: 1 });
    await m.host.expect('+QMTRECV: 1,0\r\n', T);
    const office = m.world.accessPoints().find((ap) => ap.ssid === 'Office')!;
    m.world.removeAccessPoint(office.bssid);
    const text = await m.host.expect(/\+QMTSTAT: 1,1\r\n/, T);
    assert.match(text, /\+QSTASTAT:WLAN_DISCONNECTED\r\n\r\n\+QMTSTAT: 0,1\r\n/, 'the station reports first, then client 0, then 1');
    assert.deepEqual(await m.at('AT+QMTCONN?'), { lines: [], final: 'OK' });
    assert.match((await m.at('AT+QMTRECV=1')).lines.join(), /"keep",18,"before the AP went"/);
  } finally {
    outside.end(true);
    m.close();
    await broker.close();
  }
});
