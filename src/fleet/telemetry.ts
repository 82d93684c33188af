/**
 * The built-in behaviour `--behaviour telemetry`: join the AP, open and connect MQTT client 0 as
 * the device's client id, subscribe to `fleet/<clientId>/cmd`, publish QoS 1 telemetry to
 * `fleet/<clientId>/telemetry` every interval. On `+QMTSTAT` (session lost) it reconnects with
 * exponential back-off and jitter (backoff.ts), rejoining first when Wi-Fi went too, and
 * observes `reconnect_ms`: from the loss to the next CONNACK. Metrics: joined, mqtt_connected
 * (gauges), publishes, errors, reconnects (counters), reconnect_ms, publish_ms, connect_ms.
 */
import type { Random } from '../random.ts';
import type { Urc } from '../client/index.ts';
import { backoffMs, sleep } from './backoff.ts';
import type { AtClient, DeviceContext } from './types.ts';

export interface TelemetryOptions {
  ssid: string;
  key?: string;
  brokerHost: string;
  brokerPort: number;
  intervalS: number;
  /** The device's own seeded stream (jitter). */
  random: Random;
}

/** Each step's answer may take the module's own timeouts (QMTCFG "timeout" 5 s × 3 by default). */
const STEP_MS = 30_000;
const MQTT_ID = 0;

class Lost extends Error {}

export async function telemetry(client: AtClient, ctx: DeviceContext, opts: TelemetryOptions): Promise<void> {
  const { signal, metrics } = ctx;
  const started = Date.now();
  let hasIp = false;
  let connected = false;
  let lostAt: number | undefined;
  let wake: (() => void) | null = null; // the publish loop's sleep, cut short by a loss
  const setIp = (on: boolean) => {
    if (on === hasIp) return;
    hasIp = on;
    metrics.inc('joined', on ? 1 : -1);
    wake?.();
  };
  const setConnected = (on: boolean) => {
    if (on === connected) return;
    connected = on;
    metrics.inc('mqtt_connected', on ? 1 : -1);
    if (!on) lostAt ??= Date.now();
    wake?.();
  };
  const onUrc = (u: Urc) => {
    const line = u.line;
    if (u.name === '+QSTASTAT') {
      if (line.includes('GOT_IP')) setIp(true);
      else if (line.includes('WLAN_DISCONNECTED') || line.includes('SCAN_NO_AP')) setIp(false);
    } else if (u.name === '+QMTSTAT' && Number(u.params[0]) === MQTT_ID) setConnected(false);
  };
  client.on('urc', onUrc);
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  const step = { timeoutMs: STEP_MS, signal };
  const urc = (name: string, match?: (u: Urc) => boolean) =>
    client.waitUrc(name, { ...step, match: (u) => Number(u.params[0]) === MQTT_ID && (match?.(u) ?? true) });
  const fail = (why: string) => {
    metrics.inc('errors');
    if (!signal.aborted) ctx.log(why);
  };

  try {
    const key = opts.key ? `,${opts.key}` : '';
    // No time limit: the station retries every 3 s until the AP lets it in (or the run ends).
    const joined = client.waitUrc('+QSTASTAT', { signal, timeoutMs: 0, match: (u) => u.line.includes('GOT_IP') });
    joined.catch(() => {});
    const join = await client.command(`AT+QSTAAPINFO=${opts.ssid}${key}`, step);
    if (!join.ok) throw new Error(`AT+QSTAAPINFO answered ${join.final}`);
    await joined;
    setIp(true);

    let attempt = 0;
    let seq = 0;
    let msgId = 0;
    while (!signal.aborted) {
      if (attempt > 0 && !(await sleep(backoffMs(attempt - 1, opts.random), signal))) break;
      attempt++;
      if (!hasIp) {
        await waitUntil(() => hasIp, signal, (w) => (wake = w));
        if (signal.aborted) break;
      }
      try {
        await connect(client, ctx, opts, urc, step);
      } catch (e) {
        if (signal.aborted) break;
        fail(`MQTT connect: ${(e as Error).message}`);
        await client.command(`AT+QMTCLOSE=${MQTT_ID}`, { timeoutMs: 5000, signal }).catch(() => {});
        continue;
      }
      setConnected(true);
      if (lostAt !== undefined) {
        metrics.observe('reconnect_ms', Date.now() - lostAt);
        metrics.inc('reconnects');
      } else metrics.observe('connect_ms', Date.now() - started);
      lostAt = undefined;
      attempt = 1; // the next loss waits the first back-off step
      try {
        while (!signal.aborted && connected) {
          msgId = (msgId % 65535) + 1;
          const payload = JSON.stringify({ serial: ctx.identity.serial, seq: seq++, t: Date.now() });
          const sent = Date.now();
          const acked = urc('+QMTPUB', (u) => Number(u.params[1]) === msgId);
          acked.catch(() => {});
          const r = await client.command(`AT+QMTPUB=${MQTT_ID},${msgId},1,0,"fleet/${ctx.identity.clientId}/telemetry",${Buffer.byteLength(payload)},"${payload}"`, step);
          if (!r.ok) {
            if (!connected) throw new Lost();
            throw new Error(`AT+QMTPUB answered ${r.final}`);
          }
          const result = await Promise.race([acked, lostSignal(() => connected, (w) => (wake = w))]);
          if (!result) throw new Lost();
          if (result.params[2] === '0') {
            metrics.inc('publishes');
            metrics.observe('publish_ms', Date.now() - sent);
          } else fail(`publish ${msgId}: +QMTPUB result ${result.params.slice(2).join(',')}`);
          await sleepUnless(opts.intervalS * 1000, signal, () => !connected, (w) => (wake = w));
        }
      } catch (e) {
        if (signal.aborted) break;
        if (!(e instanceof Lost)) {
          fail(`MQTT session: ${(e as Error).message}`);
          setConnected(false);
          await client.command(`AT+QMTCLOSE=${MQTT_ID}`, { timeoutMs: 5000, signal }).catch(() => {});
        }
      }
    }
    // The run is over: a clean goodbye, so the broker does not wait out the keep-alive.
    if (connected) await client.command(`AT+QMTDISC=${MQTT_ID}`, { timeoutMs: 2000 }).catch(() => {});
  } catch (e) {
    if (!signal.aborted) fail(`telemetry: ${(e as Error).message}`);
  } finally {
    client.off('urc', onUrc);
    signal.removeEventListener('abort', onAbort);
    setConnected(false);
    setIp(false);
  }
}

/** QMTOPEN then QMTCONN (as the device's client id) then QMTSUB; throws naming the failing step. */
async function connect(
  client: AtClient,
  ctx: DeviceContext,
  opts: TelemetryOptions,
  urc: (name: string, match?: (u: Urc) => boolean) => Promise<Urc>,
  step: { timeoutMs: number; signal: AbortSignal },
): Promise<void> {
  // `AT+X=…` answered OK, then its `+X:` result URC (waited for from before the command is sent).
  const ask = async (name: string, args: string): Promise<Urc> => {
    const result = urc(`+${name}`);
    result.catch(() => {});
    const r = await client.command(`AT+${name}=${args}`, step);
    if (!r.ok) throw new Error(`AT+${name} answered ${r.final}`);
    return result;
  };
  const o = await ask('QMTOPEN', `${MQTT_ID},"${opts.brokerHost}",${opts.brokerPort}`);
  if (o.params[1] !== '0') throw new Error(`+QMTOPEN result ${o.params[1]}`);
  const c = await ask('QMTCONN', `${MQTT_ID},"${ctx.identity.clientId}"`);
  if (c.params[1] !== '0' || (c.params[2] ?? '0') !== '0') throw new Error(`+QMTCONN result ${c.params.slice(1).join(',')}`);
  const s = await ask('QMTSUB', `${MQTT_ID},1,"fleet/${ctx.identity.clientId}/cmd",1`);
  if (s.params[2] !== '0') throw new Error(`+QMTSUB result ${s.params.slice(2).join(',')}`);
}

/** Resolves when `ok()` holds (checked whenever `setWake`'s callback runs) or the signal aborts. */
function waitUntil(ok: () => boolean, signal: AbortSignal, setWake: (w: (() => void) | null) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      setWake(null);
      signal.removeEventListener('abort', done);
      resolve();
    };
    if (ok() || signal.aborted) return resolve();
    setWake(() => ok() && done());
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Resolves null as soon as `alive()` turns false (the session was lost while waiting). */
function lostSignal(alive: () => boolean, setWake: (w: (() => void) | null) => void): Promise<null> {
  return new Promise((resolve) => {
    if (!alive()) return resolve(null);
    setWake(() => !alive() && (setWake(null), resolve(null)));
  });
}

/** Sleeps `ms` unless `stop()` turns true or the signal aborts first (checked when woken). */
function sleepUnless(ms: number, signal: AbortSignal, stop: () => boolean, setWake: (w: (() => void) | null) => void): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || stop()) return resolve();
    const done = () => {
      clearTimeout(timer);
      setWake(null);
      resolve();
    };
    const timer = setTimeout(done, ms);
    setWake(() => (signal.aborted || stop()) && done());
  });
}
