// MqttSession (src/mqtt/session.ts) against the scripted broker, on the fake clock: the host's
// msgIDs on the wire, retransmission of what is not acknowledged (§2.5.1 "timeout": PUBLISH
// with DUP, PUBREL, SUBSCRIBE, UNSUBSCRIBE) with 'retransmitted' reports only when timeout_report
// is 1, result 2 after the last one, an ack that ends the retries, and QoS 2 both ways
// (PUBREC/PUBREL/PUBCOMP; an incoming QoS 2 PUBLISH resent with DUP delivered once).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawBroker } from '../helpers/raw-broker.ts';
import { eventsNamed, mustConnect, next, rawBroker, type SessionRig, sessionRig, settle, until } from './session-rig.ts';

async function connected(report: 0 | 1 = 1, count = 2): Promise<{ r: SessionRig; broker: RawBroker }> {
  const broker = await rawBroker();
  const r = sessionRig({ config: { timeout: { deliverySeconds: 5, count, report } } });
  await mustConnect(r, broker.port);
  return { r, broker };
}

describe("the host's msgIDs on the wire", () => {
  test('PUBLISH, SUBSCRIBE and UNSUBSCRIBE carry the msgID given; QoS 0 carries none', async () => {
    const { r, broker } = await connected();
    r.session.subscribe(301, [{ topic: 's', qos: 2 }]);
    r.session.unsubscribe(302, ['s']);
    r.session.publish(303, 1, true, 'p', Buffer.from('x'));
    r.session.publish(0, 0, false, 'p0', Buffer.from('y'));
    await until(() => eventsNamed(r, 'published').length === 2 && eventsNamed(r, 'unsubscribed').length === 1, 'acks');
    assert.equal(broker.of('subscribe')[0]!.messageId, 301);
    assert.deepEqual(broker.of('subscribe')[0]!.subscriptions, [{ topic: 's', qos: 2 }]);
    assert.equal(broker.of('unsubscribe')[0]!.messageId, 302);
    const [p1, p0] = broker.of('publish');
    assert.deepEqual([p1!.messageId, p1!.qos, p1!.retain, p1!.dup], [303, 1, true, false]);
    assert.deepEqual([p0!.messageId, p0!.qos], [undefined, 0]);
    assert.deepEqual(eventsNamed(r, 'subscribed'), [['subscribed', 301, 0, [2]]]);
  });
});

describe('retransmission (§2.5.1 delivery_tm, delivery_cnt, timeout_report)', () => {
  test('PUBACK withheld: PUBLISH again with DUP every 5 s, reported with the count, then result 2', async () => {
    const { r, broker } = await connected(1, 2);
    broker.withhold.add('puback');
    r.session.publish(42, 1, false, 't', Buffer.from('hello'));
    await until(() => broker.of('publish').length === 1, 'the PUBLISH');
    r.clock.advance(4_999);
    await settle(30);
    assert.equal(broker.of('publish').length, 1, 'nothing resent before the delivery time');
    r.clock.advance(1);
    await until(() => broker.of('publish').length === 2, 'the first retransmission');
    r.clock.advance(5_000);
    await until(() => broker.of('publish').length === 3, 'the second retransmission');
    assert.deepEqual(
      broker.of('publish').map((p) => [p.messageId, p.dup, p.payload.toString()]),
      [
        [42, false, 'hello'],
        [42, true, 'hello'],
        [42, true, 'hello'],
      ],
    );
    assert.deepEqual(eventsNamed(r, 'published'), []);
    r.clock.advance(5_000);
    assert.deepEqual(r.events.slice(2), [
      ['retransmitted', 'publish', 42, 1],
      ['retransmitted', 'publish', 42, 2],
      ['published', 42, 2],
    ]);
    await settle(30);
    assert.equal(broker.of('publish').length, 3, 'count 2: two retransmissions, no more');
    assert.equal(r.session.state, 'connected', 'giving up a message does not end the session');
  });

  test('timeout_report 0: the same retransmissions, no reports', async () => {
    const { r, broker } = await connected(0, 3);
    broker.withhold.add('puback');
    r.session.publish(7, 1, false, 't', Buffer.from('x'));
    await until(() => broker.of('publish').length === 1, 'the PUBLISH');
    for (let n = 2; n <= 4; n++) {
      r.clock.advance(5_000);
      await until(() => broker.of('publish').length === n, `retransmission ${n - 1}`);
    }
    r.clock.advance(5_000);
    assert.deepEqual(r.events.slice(2), [['published', 7, 2]]);
  });

  test('a PUBACK after one retransmission: result 0 and no more retransmissions', async () => {
    const { r, broker } = await connected(1, 3);
    broker.withhold.add('puback');
    r.session.publish(8, 1, false, 't', Buffer.from('x'));
    await until(() => broker.of('publish').length === 1, 'the PUBLISH');
    r.clock.advance(5_000);
    await until(() => broker.of('publish').length === 2, 'the retransmission');
    const done = next(r.session, 'published');
    broker.send({ cmd: 'puback', messageId: 8 });
    assert.deepEqual(await done, [8, 0]);
    r.clock.advance(60_000);
    await settle(30);
    assert.equal(broker.of('publish').length, 2);
    assert.deepEqual(eventsNamed(r, 'retransmitted'), [['retransmitted', 'publish', 8, 1]]);
  });

  test('SUBACK and UNSUBACK withheld: SUBSCRIBE and UNSUBSCRIBE resent, then result 2', async () => {
    const { r, broker } = await connected(1, 1);
    broker.withhold.add('suback').add('unsuback');
    r.session.subscribe(5, [{ topic: 'a', qos: 1 }]);
    r.session.unsubscribe(6, ['b']);
    await until(() => broker.of('subscribe').length === 1 && broker.of('unsubscribe').length === 1, 'both requests');
    r.clock.advance(5_000);
    await until(() => broker.of('subscribe').length === 2 && broker.of('unsubscribe').length === 2, 'both resent');
    assert.deepEqual(
      broker.received.filter((p) => p.cmd === 'subscribe' || p.cmd === 'unsubscribe').map((p) => p.messageId),
      [5, 6, 5, 6],
    );
    r.clock.advance(5_000);
    assert.deepEqual(r.events.slice(2), [
      ['retransmitted', 'subscribe', 5, 1],
      ['retransmitted', 'unsubscribe', 6, 1],
      ['subscribed', 5, 2],
      ['unsubscribed', 6, 2],
    ]);
  });
});

describe('a msgID still in flight', () => {
  test('a second PUBLISH with it fails (2) and does not go out; the first completes', async () => {
    const { r, broker } = await connected();
    broker.withhold.add('puback');
    r.session.publish(50, 1, false, 't', Buffer.from('first'));
    assert.ok(r.session.pending('publish', 50));
    r.session.publish(50, 1, false, 't', Buffer.from('second'));
    assert.deepEqual(await next(r.session, 'published'), [50, 2]);
    await until(() => broker.of('publish').length === 1, 'the first PUBLISH');
    broker.send({ cmd: 'puback', messageId: 50 });
    assert.deepEqual(await next(r.session, 'published'), [50, 0]);
    assert.equal(r.session.pending('publish', 50), false);
    assert.deepEqual(
      broker.of('publish').map((p) => String(p.payload)),
      ['first'],
    );
  });
});

describe('QoS 2', () => {
  test('outgoing: PUBLISH → PUBREC → PUBREL → PUBCOMP, published(0) only at PUBCOMP', async () => {
    const { r, broker } = await connected();
    broker.withhold.add('pubcomp');
    r.session.publish(21, 2, false, 't', Buffer.from('x'));
    await until(() => broker.of('pubrel').length === 1, 'the PUBREL');
    assert.equal(broker.of('pubrel')[0]!.messageId, 21);
    await settle(30);
    assert.deepEqual(eventsNamed(r, 'published'), [], 'not done at PUBREC');
    const done = next(r.session, 'published');
    broker.send({ cmd: 'pubcomp', messageId: 21 });
    assert.deepEqual(await done, [21, 0]);
  });

  test('outgoing: PUBCOMP withheld: PUBREL resent (a fresh count), then result 2', async () => {
    const { r, broker } = await connected(1, 2);
    broker.withhold.add('pubcomp');
    r.session.publish(22, 2, false, 't', Buffer.from('x'));
    await until(() => broker.of('pubrel').length === 1, 'the PUBREL');
    r.clock.advance(5_000);
    await until(() => broker.of('pubrel').length === 2, 'PUBREL resent');
    r.clock.advance(5_000);
    await until(() => broker.of('pubrel').length === 3, 'PUBREL resent again');
    r.clock.advance(5_000);
    assert.deepEqual(r.events.slice(2), [
      ['retransmitted', 'publish', 22, 1],
      ['retransmitted', 'publish', 22, 2],
      ['published', 22, 2],
    ]);
    assert.equal(broker.of('publish').length, 1, 'the PUBLISH itself was acknowledged (PUBREC) and not resent');
  });

  test('incoming: PUBREC, and a DUP resend of the PUBLISH is not delivered again; PUBREL → PUBCOMP', async () => {
    const { r, broker } = await connected();
    const publish = { cmd: 'publish', qos: 2, dup: false, retain: false, topic: 'in', payload: Buffer.from('once'), messageId: 5 } as const;
    broker.send(publish);
    await until(() => broker.of('pubrec').length === 1, 'PUBREC');
    broker.send({ ...publish, dup: true });
    await until(() => broker.of('pubrec').length === 2, 'PUBREC again');
    broker.send({ cmd: 'pubrel', messageId: 5 });
    await until(() => broker.of('pubcomp').length === 1, 'PUBCOMP');
    assert.deepEqual(
      eventsNamed(r, 'message').map((m) => [m[1], m[2], String(m[3]), m[4]]),
      [[5, 'in', 'once', 2]],
    );
    assert.deepEqual(
      broker.received.slice(-3).map((p) => [p.cmd, p.messageId]),
      [
        ['pubrec', 5],
        ['pubrec', 5],
        ['pubcomp', 5],
      ],
    );
    // Released: msgID 5 is a new message now.
    broker.send({ ...publish, payload: Buffer.from('again') });
    await until(() => eventsNamed(r, 'message').length === 2, 'the new message');
  });

  test('incoming QoS 1: the message with its msgID, then PUBACK with it', async () => {
    const { r, broker } = await connected();
    broker.send({ cmd: 'publish', qos: 1, dup: false, retain: false, topic: 'in1', payload: Buffer.from('q1'), messageId: 77 });
    await until(() => broker.of('puback').length === 1, 'PUBACK');
    assert.equal(broker.of('puback')[0]!.messageId, 77);
    assert.deepEqual(
      eventsNamed(r, 'message').map((m) => [m[1], m[2], String(m[3]), m[4]]),
      [[77, 'in1', 'q1', 1]],
    );
  });

  test('incoming QoS 1: PUBACK only after the message event (a module reset inside it leaves the message unacknowledged)', async () => {
    const { r, broker } = await connected();
    r.session.on('message', () => r.session.destroy());
    broker.send({ cmd: 'publish', qos: 1, dup: false, retain: false, topic: 'in1', payload: Buffer.from('q1'), messageId: 78 });
    await until(() => broker.closed === 1, 'the connection dropped');
    assert.equal(eventsNamed(r, 'message').length, 1);
    assert.deepEqual(broker.of('puback'), []);
  });
});
