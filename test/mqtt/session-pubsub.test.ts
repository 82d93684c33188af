// MqttSession (src/mqtt/session.ts) subscribing and publishing through a real aedes broker:
// the granted QoS list with 128 for a refused topic (§2.5.6), QoS 0/1/2 round trips back to the
// same client (§2.5.8, §3.5.1), unsubscribe (§2.5.7), retained messages on subscribe, a
// persistent session (clean 0) keeping subscriptions and queued QoS 1 messages over a reconnect
// (§2.5.1 "session"), the will on destroy() and not on disconnect(), and a 1500-byte binary
// payload byte for byte.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MqttSession } from '../../src/mqtt/session.ts';
import { aedes, eventsNamed, mustConnect, next, type SessionRig, sessionRig, settle, until } from './session-rig.ts';

/** The next n 'message' events. */
function messages(session: MqttSession, n: number): Promise<[number, string, Buffer, number][]> {
  const got: [number, string, Buffer, number][] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${got.length} of ${n} messages`)), 5_000);
    const on = (...m: [number, string, Buffer, 0 | 1 | 2]) => {
      got.push(m);
      if (got.length < n) return;
      clearTimeout(timer);
      session.off('message', on);
      resolve(got);
    };
    session.on('message', on);
  });
}

async function subscribed(r: SessionRig, msgId: number, topics: { topic: string; qos: 0 | 1 | 2 }[]): Promise<number[] | undefined> {
  const done = next(r.session, 'subscribed', (id) => id === msgId);
  r.session.subscribe(msgId, topics);
  const [, result, granted] = await done;
  assert.equal(result, 0);
  return granted;
}

describe('subscribe and unsubscribe', () => {
  test('the granted QoS list in topic order, 128 where aedes refuses the topic', async () => {
    const broker = await aedes({ hooks: { authorizeSubscribe: (_c, sub, cb) => cb(null, sub.topic === 'denied' ? null : sub) } });
    const r = sessionRig();
    await mustConnect(r, broker.port);
    const granted = await subscribed(r, 9, [
      { topic: 'a/1', qos: 1 },
      { topic: 'denied', qos: 1 },
      { topic: 'a/#', qos: 2 },
      { topic: 'a/0', qos: 0 },
    ]);
    assert.deepEqual(granted, [1, 128, 2, 0]);
  });

  test('after UNSUBACK the topic no longer delivers; another one still does', async () => {
    const broker = await aedes();
    const r = sessionRig();
    await mustConnect(r, broker.port);
    await subscribed(r, 1, [
      { topic: 'gone', qos: 0 },
      { topic: 'kept', qos: 0 },
    ]);
    const done = next(r.session, 'unsubscribed');
    r.session.unsubscribe(2, ['gone']);
    assert.deepEqual(await done, [2, 0]);
    const got = messages(r.session, 1);
    r.session.publish(0, 0, false, 'gone', Buffer.from('not for me'));
    r.session.publish(0, 0, false, 'kept', Buffer.from('for me'));
    const [[, topic, payload]] = (await got) as [[number, string, Buffer, number]];
    assert.equal(topic, 'kept');
    assert.equal(payload.toString(), 'for me');
  });

  test('subscribe, unsubscribe and publish before connect: result 2, after the call returns', async () => {
    const r = sessionRig();
    r.session.subscribe(1, [{ topic: 't', qos: 0 }]);
    r.session.unsubscribe(2, ['t']);
    r.session.publish(3, 1, false, 't', Buffer.from('x'));
    assert.deepEqual(r.events, []);
    await settle(10);
    assert.deepEqual(r.events, [
      ['subscribed', 1, 2],
      ['unsubscribed', 2, 2],
      ['published', 3, 2],
    ]);
  });
});

describe('publish', () => {
  test('QoS 0, 1 and 2 back to the same client: published(msgId, 0) each, every message once with its QoS', async () => {
    const broker = await aedes();
    const r = sessionRig();
    await mustConnect(r, broker.port);
    await subscribed(r, 1, [{ topic: 'loop/#', qos: 2 }]);
    const got = messages(r.session, 3);
    r.session.publish(0, 0, false, 'loop/0', Buffer.from('zero'));
    r.session.publish(11, 1, false, 'loop/1', Buffer.from('one'));
    r.session.publish(12, 2, false, 'loop/2', Buffer.from('two'));
    // aedes does not keep the order across QoS levels (QoS 1/2 go through its persistence).
    const received = (await got).sort((x, y) => x[1].localeCompare(y[1]));
    assert.deepEqual(
      received.map(([id, topic, payload, qos]) => [id === 0, topic, payload.toString(), qos]),
      [
        [true, 'loop/0', 'zero', 0],
        [false, 'loop/1', 'one', 1],
        [false, 'loop/2', 'two', 2],
      ],
    );
    await until(() => eventsNamed(r, 'published').length === 3, 'three published events');
    assert.deepEqual(eventsNamed(r, 'published').sort(), [
      ['published', 0, 0],
      ['published', 11, 0],
      ['published', 12, 0],
    ]);
    await settle(100);
    assert.equal(eventsNamed(r, 'message').length, 3, 'nothing delivered twice');
  });

  test('a 1500-byte binary payload (NUL, CR, LF, quotes, commas, every byte value) round-trips byte for byte', async () => {
    const broker = await aedes();
    const r = sessionRig();
    await mustConnect(r, broker.port);
    await subscribed(r, 1, [{ topic: 'bin', qos: 1 }]);
    const payload = Buffer.alloc(1500);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) % 256;
    payload.write('\0\r\n"\',\r\n\0', 0, 'latin1');
    const got = messages(r.session, 1);
    r.session.publish(5, 1, false, 'bin', payload);
    const [[, , body]] = (await got) as [[number, string, Buffer, number]];
    assert.equal(body.length, 1500);
    assert.ok(body.equals(payload), 'payload changed on the way');
  });

  test('a retained message arrives on subscribe', async () => {
    const broker = await aedes();
    const a = sessionRig();
    await mustConnect(a, broker.port, 'retainer');
    const done = next(a.session, 'published');
    a.session.publish(3, 1, true, 'state/lamp', Buffer.from('on'));
    assert.deepEqual(await done, [3, 0]);
    const b = sessionRig({ with: a });
    await mustConnect(b, broker.port, 'late');
    const got = messages(b.session, 1);
    await subscribed(b, 1, [{ topic: 'state/#', qos: 1 }]);
    const [[, topic, payload]] = (await got) as [[number, string, Buffer, number]];
    assert.equal(topic, 'state/lamp');
    assert.equal(payload.toString(), 'on');
  });
});

describe('persistent session (clean 0)', () => {
  /** Subscribes `client` to q/# (QoS 1), disconnects, has `other` publish 3 messages, reconnects. */
  async function offline(clean: 0 | 1): Promise<{ r: SessionRig; got: string[] }> {
    const broker = await aedes();
    const r = sessionRig({ config: { cleanSession: clean } });
    await mustConnect(r, broker.port, 'sleeper');
    await subscribed(r, 1, [{ topic: 'q/#', qos: 1 }]);
    const disc = next(r.session, 'disconnected');
    r.session.disconnect();
    assert.deepEqual(await disc, [0]);
    const other = sessionRig({ with: r });
    await mustConnect(other, broker.port, 'sender');
    for (const n of [1, 2, 3]) {
      const done = next(other.session, 'published', (id) => id === n);
      other.session.publish(n, 1, false, `q/${n}`, Buffer.from(`m${n}`));
      await done;
    }
    const got: string[] = [];
    r.session.on('message', (_id, topic, payload) => got.push(`${topic}=${payload}`));
    await mustConnect(r, broker.port, 'sleeper');
    return { r, got };
  }

  test('the queued QoS 1 messages arrive after the reconnect, and the subscription still delivers', async () => {
    const { r, got } = await offline(0);
    await until(() => got.length === 3, 'the three queued messages');
    assert.deepEqual(got, ['q/1=m1', 'q/2=m2', 'q/3=m3']);
    r.session.publish(4, 1, false, 'q/4', Buffer.from('m4'));
    await until(() => got.length === 4, 'a message on the kept subscription');
    assert.equal(got[3], 'q/4=m4');
  });

  test('with clean 1 nothing was kept: no queued messages, no subscription', async () => {
    const { r, got } = await offline(1);
    r.session.publish(4, 1, false, 'q/4', Buffer.from('m4'));
    await next(r.session, 'published');
    await settle(150);
    assert.deepEqual(got, []);
  });
});

describe('the will (§2.5.1 "will")', () => {
  async function watched(): Promise<{ r: SessionRig; wills: string[]; watcher: SessionRig }> {
    const broker = await aedes();
    const watcher = sessionRig();
    await mustConnect(watcher, broker.port, 'watcher');
    await subscribed(watcher, 1, [{ topic: 'wills/#', qos: 1 }]);
    const wills: string[] = [];
    watcher.session.on('message', (_id, topic, payload) => wills.push(`${topic}=${payload}`));
    const r = sessionRig({ with: watcher, config: { will: { flag: 1, qos: 1, retain: 0, topic: 'wills/dev', message: 'died' } } });
    await mustConnect(r, broker.port, 'dev');
    return { r, wills, watcher };
  }

  test('published by the broker when the module is destroyed (reset, power-off); the session reports nothing', async () => {
    const { r, wills } = await watched();
    const before = r.events.length;
    r.session.destroy();
    await until(() => wills.length === 1, 'the will');
    assert.deepEqual(wills, ['wills/dev=died']);
    assert.equal(r.events.length, before);
  });

  test('not published after disconnect(): the next message on the topic is the marker', async () => {
    const { r, wills, watcher } = await watched();
    const disc = next(r.session, 'disconnected');
    r.session.disconnect();
    assert.deepEqual(await disc, [0]);
    assert.equal(r.session.state, 'idle');
    await settle(150);
    watcher.session.publish(0, 0, false, 'wills/marker', Buffer.from('after'));
    await until(() => wills.length >= 1, 'the marker');
    await settle(50);
    assert.deepEqual(wills, ['wills/marker=after']);
  });

  test('published after close() (AT+QMTCLOSE sends no DISCONNECT)', async () => {
    const { r, wills } = await watched();
    const closed = next(r.session, 'closed');
    r.session.close();
    assert.deepEqual(await closed, [0]);
    await until(() => wills.length === 1, 'the will');
    assert.deepEqual(wills, ['wills/dev=died']);
  });
});
