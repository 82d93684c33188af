/**
 * What the default world's services received (expect-backend): each PUBLISH a client sent the
 * broker (not $SYS, not the broker's own), each request httpbin answered. Observations are kept
 * in arrival order; an expectation takes the first one that fits and nobody else can take it.
 * A replay has no live services: its log starts with what the record run's expectations took
 * (stored in the cassette's `extra.backend`).
 */
import { z } from 'zod';
import type { WorldBroker } from '../world/broker.ts';
import { Listeners } from './cursor.ts';
import { compilePattern, type Pattern } from './pattern.ts';

export const ObservationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('mqtt'), topic: z.string(), payload: z.string() }),
  z.strictObject({ kind: z.literal('http'), method: z.string(), path: z.string() }),
]);
export type Observation = z.infer<typeof ObservationSchema>;

/** An expect-backend step's expectation. */
export type BackendExpectation = { mqtt: { topic?: string; payload?: string } } | { http: { method?: string; path?: string } };

export class BackendLog {
  private readonly items: { observation: Observation; taken: boolean }[] = [];
  private readonly listeners = new Listeners();

  push(observation: Observation): void {
    this.items.push({ observation, taken: false });
    this.listeners.notify();
  }

  /** The first observation not yet taken that `matches`; marks it taken. */
  take(matches: (o: Observation) => boolean): Observation | null {
    const item = this.items.find((i) => !i.taken && matches(i.observation));
    if (!item) return null;
    item.taken = true;
    return item.observation;
  }

  onChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** A short list of what arrived (for failure messages). */
  describe(max = 5): string {
    const all = this.items.map((i) => describeObservation(i.observation));
    if (all.length === 0) return 'nothing arrived';
    return `arrived: ${all.slice(-max).join('; ')}${all.length > max ? ` (and ${all.length - max} earlier)` : ''}`;
  }
}

export function describeObservation(o: Observation): string {
  return o.kind === 'mqtt' ? `PUBLISH ${JSON.stringify(o.topic)} ${JSON.stringify(o.payload)}` : `${o.method} ${o.path}`;
}

/** `mqtt topic "re:^sensors/" payload "21.5"`: how a failure names the expectation. */
export function describeExpectation(e: BackendExpectation): string {
  if ('mqtt' in e) return ['mqtt', e.mqtt.topic && `topic ${JSON.stringify(e.mqtt.topic)}`, e.mqtt.payload && `payload ${JSON.stringify(e.mqtt.payload)}`].filter(Boolean).join(' ');
  return ['http', e.http.method, e.http.path && `path ${JSON.stringify(e.http.path)}`].filter(Boolean).join(' ');
}

/** The expectation as a test on observations (literal substrings or `re:`, as elsewhere). */
export function backendMatcher(e: BackendExpectation): (o: Observation) => boolean {
  const p = (source: string | undefined): Pattern | null => (source === undefined ? null : compilePattern(source));
  const fits = (pattern: Pattern | null, text: string) => pattern === null || pattern.find(text) !== null;
  if ('mqtt' in e) {
    const topic = p(e.mqtt.topic);
    const payload = p(e.mqtt.payload);
    return (o) => o.kind === 'mqtt' && fits(topic, o.topic) && fits(payload, o.payload);
  }
  const method = e.http.method?.toUpperCase();
  const path = p(e.http.path);
  return (o) => o.kind === 'http' && (method === undefined || o.method.toUpperCase() === method) && fits(path, o.path);
}

/** Logs every PUBLISH a client sends the broker; returns what stops it. */
export function observeBroker(broker: WorldBroker, log: BackendLog): () => void {
  const onPublish = (packet: { topic: string; payload: Buffer | string }, client: unknown) => {
    if (client === null || packet.topic.startsWith('$SYS')) return; // the broker's own
    const payload = typeof packet.payload === 'string' ? packet.payload : Buffer.from(packet.payload).toString('utf8');
    log.push({ kind: 'mqtt', topic: packet.topic, payload });
  };
  broker.aedes.on('publish', onPublish);
  return () => void broker.aedes.removeListener('publish', onPublish);
}

/** The observations a record run stored in a cassette's `extra.backend` (bad entries skipped). */
export function storedObservations(extra: Record<string, unknown>): Observation[] {
  const list = extra.backend;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const parsed = ObservationSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}
