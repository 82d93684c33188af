// MqttSession (src/mqtt/session.ts) flow control: pause() stops reading the socket (the broker is
// pushed back by TCP), nothing received is dropped, resume() delivers everything in order; while
// paused, an ack or PINGRESP that may be sitting unread does not count as missing; the end of
// the connection is reported after the messages received before it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aedes, eventsNamed, mustConnect, next, rawBroker, sessionRig, settle, until } from './session-rig.ts';

describe('pause() and resume()', () => {
  test('aedes: 3000 QoS 1 messages published while paused wait in the socket; resume() delivers them all, in order', async () => {
    const broker = await aedes();
    const sub = sessionRig();
    await mustConnect(sub, broker.port, 'slow');
    const granted = next(sub.session, 'subscribed');
    sub.session.subscribe(1, [{ topic: 'flow/#', qos: 1 }]);
    await granted;
    sub.session.pause();
    const pub = sessionRig({ with: sub });
    await mustConnect(pub, broker.port, 'fast');
    const N = 3000;
    const body = Buffer.alloc(1000, 0x5a);
    for (let i = 1; i <= N; i++) pub.session.publish(i, 1, false, 'flow/x', Buffer.concat([Buffer.from(`${i}:`), body]));
    await settle(400);
    assert.deepEqual(eventsNamed(sub, 'message'), [], 'nothing delivered while paused');
    sub.session.resume();
    await until(() => eventsNamed(sub, 'message').length === N, `${N} messages`, 20_000);
    const order = eventsNamed(sub, 'message').map((m) => Number(String(m[3]).split(':')[0]));
    assert.deepEqual(
      order,
      Array.from({ length: N }, (_, i) => i + 1),
    );
    await until(() => eventsNamed(pub, 'published').length === N, 'every PUBACK to the publisher', 20_000);
    assert.equal(sub.session.state, 'connected');
  });

  test('raw: a paused session leaves 20 MB unread, so the broker cannot write it all (TCP pushes back); all arrive after resume', async () => {
    const broker = await rawBroker();
    const r = sessionRig();
    await mustConnect(r, broker.port);
    r.session.pause();
    const N = 20_000;
    const body = Buffer.alloc(1000, 0x41);
    for (let i = 1; i <= N; i++)
      broker.send({ cmd: 'publish', qos: 0, dup: false, retain: false, topic: 'p', payload: Buffer.concat([Buffer.from(`${i}:`), body]) });
    await settle(400);
    assert.ok(broker.backlog() > 0, 'the broker still holds what the paused client did not read');
    assert.deepEqual(eventsNamed(r, 'message'), []);
    r.session.resume();
    await until(() => eventsNamed(r, 'message').length === N, `${N} messages`, 20_000);
    const order = eventsNamed(r, 'message').map((m) => Number(String(m[3]).split(':')[0]));
    assert.ok(
      order.every((n, i) => n === i + 1),
      'in order, none missing',
    );
    assert.equal(broker.backlog(), 0);
  });

  test('pause() from inside a message event holds the rest of the same chunk', async () => {
    const broker = await rawBroker();
    const r = sessionRig();
    await mustConnect(r, broker.port);
    r.session.once('message', () => r.session.pause());
    const many = Array.from({ length: 5 }, (_, i) => ({ cmd: 'publish', qos: 0, dup: false, retain: false, topic: 't', payload: Buffer.from(`m${i}`) }) as const);
    for (const p of many) broker.send(p);
    await until(() => eventsNamed(r, 'message').length >= 1, 'the first message');
    await settle(100);
    assert.equal(eventsNamed(r, 'message').length, 1);
    r.session.resume();
    await until(() => eventsNamed(r, 'message').length === 5, 'the others');
    assert.deepEqual(
      eventsNamed(r, 'message').map((m) => String(m[3])),
      ['m0', 'm1', 'm2', 'm3', 'm4'],
    );
  });

  test('the broker closing after messages: stat 1 only after resume() delivered them', async () => {
    const broker = await rawBroker();
    const r = sessionRig();
    await mustConnect(r, broker.port);
    r.session.pause();
    for (const n of [1, 2, 3]) broker.send({ cmd: 'publish', qos: 1, dup: false, retain: false, topic: 't', payload: Buffer.from(`m${n}`), messageId: n });
    broker.end();
    await settle(150);
    assert.deepEqual(r.events.slice(2), []);
    r.session.resume();
    await until(() => eventsNamed(r, 'stat').length === 1, 'stat');
    assert.deepEqual(
      r.events.slice(2).map((e) => (e[0] === 'message' ? String(e[3]) : e.slice(0, 2).join(' '))),
      ['m1', 'm2', 'm3', 'stat 1'],
    );
  });

  test('a reset while paused: the messages already received are delivered on resume(), then stat 1', async () => {
    const broker = await rawBroker();
    const r = sessionRig();
    await mustConnect(r, broker.port);
    r.session.once('message', () => r.session.pause());
    const publish = (n: number) => ({ cmd: 'publish', qos: 0, dup: false, retain: false, topic: 't', payload: Buffer.from(`m${n}`) }) as const;
    broker.send(publish(1), publish(2), publish(3)); // one chunk: m2 and m3 are parsed and held
    await until(() => eventsNamed(r, 'message').length === 1, 'the first message');
    broker.drop();
    await settle(150);
    assert.deepEqual(eventsNamed(r, 'stat'), [], 'not before the held messages');
    r.session.resume();
    await until(() => eventsNamed(r, 'stat').length === 1, 'stat');
    assert.deepEqual(
      r.events.slice(2).map((e) => (e[0] === 'message' ? String(e[3]) : e.slice(0, 2).join(' '))),
      ['m1', 'm2', 'm3', 'stat 1'],
    );
  });

  test('while paused, an unread PINGRESP or PUBACK is not missing: no stat 2, no retransmission, no result 2 (fake clock)', async () => {
    const broker = await rawBroker();
    const r = sessionRig({ config: { keepalive: 10, timeout: { deliverySeconds: 5, count: 1, report: 1 } } });
    await mustConnect(r, broker.port);
    r.session.pause();
    r.session.publish(4, 1, false, 't', Buffer.from('x'));
    await until(() => broker.of('publish').length === 1, 'PUBLISH');
    r.clock.advance(10_000);
    await until(() => broker.of('pingreq').length === 1, 'PINGREQ');
    await settle(50); // PUBACK and PINGRESP are in the socket, unread
    for (let i = 0; i < 6; i++) r.clock.advance(5_000);
    await settle(30);
    assert.equal(broker.of('publish').length, 1, 'not retransmitted');
    assert.deepEqual(r.events.slice(2), []);
    const acked = next(r.session, 'published');
    r.session.resume();
    assert.deepEqual(await acked, [4, 0]);
    r.clock.advance(5_000);
    assert.deepEqual(eventsNamed(r, 'stat'), []);
    assert.equal(r.session.state, 'connected');
  });
});
