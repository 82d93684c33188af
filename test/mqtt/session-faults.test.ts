// MqttSession (src/mqtt/session.ts) when things go wrong and when the host ends it: keep-alive
// (PINGREQ after <kalive_tm> without a packet sent; +QMTSTAT 2 when no PINGRESP comes within the
// delivery time, on the fake clock), the broker dropping the connection (+QMTSTAT 1, pending
// requests failed first), and the results of disconnect() and close() (§2.5.3, §2.5.5).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aedes, eventsNamed, mustConnect, mustOpen, next, rawBroker, sessionRig, settle, until } from './session-rig.ts';

describe('keep-alive (§2.5.1 kalive_tm)', () => {
  test('PINGREQ after keepalive seconds with nothing sent; answered, the session goes on', async () => {
    const broker = await rawBroker();
    const r = sessionRig({ config: { keepalive: 10, timeout: { deliverySeconds: 5, count: 3, report: 0 } } });
    await mustConnect(r, broker.port);
    r.clock.advance(9_999);
    await settle(30);
    assert.equal(broker.of('pingreq').length, 0);
    r.clock.advance(1);
    await until(() => broker.of('pingreq').length === 1, 'PINGREQ at 10 s');
    await settle(30); // the PINGRESP comes back
    r.clock.advance(5_000);
    assert.deepEqual(eventsNamed(r, 'stat'), []);
    r.clock.advance(5_000);
    await until(() => broker.of('pingreq').length === 2, 'PINGREQ at 20 s');
    assert.equal(r.session.state, 'connected');
  });

  test('a packet sent moves the next PINGREQ: keepalive seconds after it', async () => {
    const broker = await rawBroker();
    const r = sessionRig({ config: { keepalive: 10 } });
    await mustConnect(r, broker.port);
    r.clock.advance(6_000);
    r.session.publish(0, 0, false, 't', Buffer.from('x'));
    await until(() => broker.of('publish').length === 1, 'the PUBLISH');
    r.clock.advance(4_000);
    await settle(30);
    assert.equal(broker.of('pingreq').length, 0, 'no PINGREQ 4 s after a packet');
    r.clock.advance(5_999);
    await settle(30);
    assert.equal(broker.of('pingreq').length, 0);
    r.clock.advance(1);
    await until(() => broker.of('pingreq').length === 1, 'PINGREQ 10 s after the PUBLISH');
  });

  test('PINGRESP withheld: stat 2 after the delivery time, the socket closed', async () => {
    const broker = await rawBroker();
    broker.withhold.add('pingresp');
    const r = sessionRig({ config: { keepalive: 30, timeout: { deliverySeconds: 4, count: 3, report: 0 } } });
    await mustConnect(r, broker.port);
    r.clock.advance(30_000);
    await until(() => broker.of('pingreq').length === 1, 'PINGREQ');
    r.clock.advance(3_999);
    assert.deepEqual(eventsNamed(r, 'stat'), []);
    r.clock.advance(1);
    assert.deepEqual(eventsNamed(r, 'stat'), [['stat', 2, 'no PINGRESP within the delivery time']]);
    assert.equal(r.session.state, 'idle');
    await until(() => broker.closed === 1, 'the broker sees the connection closed');
    assert.equal(broker.of('disconnect').length, 0);
  });
});

describe('the broker or the network ends the session', () => {
  test('aedes drops the connection: pending requests fail (2), then stat 1; the session is idle and can open again', async () => {
    const broker = await aedes({ hooks: { authorizePublish: () => {} } }); // never acknowledges a PUBLISH
    const r = sessionRig();
    await mustConnect(r, broker.port);
    r.session.publish(31, 1, false, 't', Buffer.from('x'));
    r.session.publish(32, 2, false, 't', Buffer.from('y'));
    await settle(50);
    const stat = next(r.session, 'stat');
    broker.dropClients();
    const [code] = await stat;
    assert.equal(code, 1);
    assert.deepEqual(r.events.slice(2).map((e) => e.slice(0, 3)), [
      ['published', 31, 2],
      ['published', 32, 2],
      ['stat', 1, r.session.lastDetail],
    ]);
    assert.equal(r.session.state, 'idle');
    assert.equal(r.session.server, null);
    await mustOpen(r, broker.port);
  });

  test('the broker closes an open (not yet connected) session: stat 1', async () => {
    const broker = await rawBroker();
    const r = sessionRig();
    await mustOpen(r, broker.port);
    broker.drop();
    assert.equal((await next(r.session, 'stat'))[0], 1);
  });

  test('the broker closes the connection while CONNECT waits: connected(1), then stat 1', async () => {
    const broker = await rawBroker();
    broker.withhold.add('connack');
    const r = sessionRig();
    await mustOpen(r, broker.port);
    r.session.connect('c');
    await until(() => broker.of('connect').length === 1, 'CONNECT');
    broker.drop();
    await next(r.session, 'stat');
    assert.deepEqual(r.events.slice(1).map((e) => e.slice(0, 2)), [
      ['connected', 1],
      ['stat', 1],
    ]);
  });
});

describe('the host ends the session', () => {
  test('disconnect(): DISCONNECT on the wire, then disconnected(0), no stat; pending requests fail first', async () => {
    const broker = await rawBroker();
    broker.withhold.add('puback');
    const r = sessionRig();
    await mustConnect(r, broker.port);
    r.session.publish(9, 1, false, 't', Buffer.from('x'));
    const done = next(r.session, 'disconnected');
    r.session.disconnect();
    assert.equal(r.session.state, 'disconnecting');
    assert.deepEqual(await done, [0]);
    assert.deepEqual(r.events.slice(2), [
      ['published', 9, 2],
      ['disconnected', 0],
    ]);
    assert.deepEqual(
      broker.received.map((p) => p.cmd),
      ['connect', 'publish', 'disconnect'],
    );
    assert.equal(r.session.state, 'idle');
  });

  test('close(): the socket closed without DISCONNECT, closed(0)', async () => {
    const broker = await rawBroker();
    const r = sessionRig();
    await mustConnect(r, broker.port);
    const done = next(r.session, 'closed');
    r.session.close();
    assert.deepEqual(await done, [0]);
    await until(() => broker.closed === 1, 'the broker sees it closed');
    assert.deepEqual(broker.of('disconnect'), []);
    await settle(30);
    assert.deepEqual(eventsNamed(r, 'stat'), []);
  });

  test('a peer that never closes its side: close() ends after the delivery time (fake clock)', async () => {
    const broker = await rawBroker();
    const r = sessionRig({ config: { timeout: { deliverySeconds: 3, count: 3, report: 0 } } });
    await mustConnect(r, broker.port);
    broker.holdOpen = true;
    r.session.close();
    await settle(100);
    assert.deepEqual(eventsNamed(r, 'closed'), [], 'waiting for the peer to close its side');
    r.clock.advance(2_999);
    await settle(30);
    assert.deepEqual(eventsNamed(r, 'closed'), []);
    r.clock.advance(1);
    await until(() => eventsNamed(r, 'closed').length === 1, 'closed');
    assert.deepEqual(eventsNamed(r, 'closed'), [['closed', 0]]);
  });

  test('disconnect() and close() with nothing open: -1', async () => {
    const r = sessionRig();
    r.session.disconnect();
    r.session.close();
    await settle(10);
    assert.deepEqual(r.events, [
      ['disconnected', -1],
      ['closed', -1],
    ]);
  });

  test('close() while opening: opened(-1), then closed(0)', async () => {
    const broker = await aedes();
    const r = sessionRig();
    r.session.open('127.0.0.1', broker.port);
    r.session.close();
    await settle(100);
    assert.deepEqual(r.events, [
      ['opened', -1],
      ['closed', 0],
    ]);
    assert.equal(broker.sockets.size, 0);
  });
});
