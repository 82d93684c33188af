/**
 * A cassette: what every connection a run made looked like on the wire above TLS — where the
 * module dialled, how the connect ended, the bytes each way in order with their time, and the
 * close — so a later run (`world.setNet('replay', cassette)`) can play the far side with no
 * network. A JSON file (docs/cassettes.md); `extra` carries what the scenario runner keeps
 * beside the connections, `misses` what a replay met that the cassette did not hold.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeAtomically } from '../device/flash.ts';

export const CASSETTE_VERSION = 1;

/** Which connection: the host as the module gave it, the port it asked for, TLS or not, and its number among like ones. */
const KeySchema = z.strictObject({
  host: z.string(),
  port: z.number().int(),
  tls: z.boolean(),
  /** The module's label (`module 0`) when the dial named one: modules keep their own sequences. */
  module: z.string().optional(),
  /** 1 for the first connection with this host, port, TLS and module, 2 for the next, … */
  ordinal: z.number().int().min(1),
});

/** How the connect ended: connected (to the address and port the hosts map or DNS gave), failed, or abandoned. */
const ConnectSchema = z.union([
  z.strictObject({ ok: z.literal(true), atMs: z.number(), address: z.string(), port: z.number().int() }),
  z.strictObject({
    ok: z.literal(false),
    atMs: z.number(),
    /** The SocketError's Table 2 code (550, 551, 556, …). */
    result: z.number().int(),
    message: z.string(),
    /** The innermost error code underneath (ECONNREFUSED, ENOTFOUND, DEPTH_ZERO_SELF_SIGNED_CERT, …). */
    cause: z.string().optional(),
    causeMessage: z.string().optional(),
    /** The module gave up on the dial (AT+QICLOSE while opening, a timeout of its own). */
    aborted: z.boolean().optional(),
  }),
]);

const EventSchema = z.strictObject({
  dir: z.enum(['out', 'in']),
  /** Milliseconds since the dial started, on the world's clock. */
  atMs: z.number(),
  /** The bytes, base64. */
  data: z.string(),
});

const CloseSchema = z.strictObject({
  /** remote: the far side's FIN; local: the module closed first (or its socket was destroyed); error: a reset or socket error. */
  by: z.enum(['remote', 'local', 'error']),
  atMs: z.number(),
  /** How many bytes the module had written when it happened: the replay closes after as many. */
  afterOut: z.number().int().min(0),
  /** The error code for `by: 'error'` (ECONNRESET, …). */
  error: z.string().optional(),
});

const ConnectionSchema = z.strictObject({
  key: KeySchema,
  connect: ConnectSchema,
  events: z.array(EventSchema),
  close: CloseSchema.optional(),
});

const FileSchema = z.strictObject({
  version: z.literal(CASSETTE_VERSION),
  connections: z.array(ConnectionSchema),
  extra: z.record(z.string(), z.unknown()),
  misses: z.array(z.string()),
});

export type ConnectionKey = z.infer<typeof KeySchema>;
export type RecordedConnect = z.infer<typeof ConnectSchema>;
export type RecordedEvent = z.infer<typeof EventSchema>;
export type RecordedClose = z.infer<typeof CloseSchema>;
export type RecordedConnection = z.infer<typeof ConnectionSchema>;

/** A cassette file that cannot be read or does not fit the format. */
export class CassetteError extends Error {
  override readonly name = 'CassetteError';
}

export class Cassette {
  /** In the order the dials started. */
  readonly connections: RecordedConnection[];
  /** The scenario runner's own records (e.g. backend observations), saved and loaded as they are. */
  extra: Record<string, unknown>;
  /** What a replay asked for that the cassette did not hold, or bytes that differed (descriptions). */
  readonly misses: string[];

  private constructor(data: z.infer<typeof FileSchema>) {
    this.connections = data.connections;
    this.extra = data.extra;
    this.misses = data.misses;
  }

  static empty(): Cassette {
    return new Cassette({ version: CASSETTE_VERSION, connections: [], extra: {}, misses: [] });
  }

  static load(path: string): Cassette {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new CassetteError(`cannot read cassette ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return Cassette.parse(text, path);
  }

  /** A cassette from its JSON text; `source` names it in errors. */
  static parse(text: string, source = 'cassette'): Cassette {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CassetteError(`${source} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = FileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CassetteError(`${source} is not a version ${CASSETTE_VERSION} cassette: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`);
    }
    return new Cassette(parsed.data);
  }

  /** Writes the file (its folder made if needed) through a temporary file, so a reader never sees half of it. */
  save(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeAtomically(path, `${JSON.stringify(this.toJSON(), null, 2)}\n`);
  }

  toJSON(): z.infer<typeof FileSchema> {
    return { version: CASSETTE_VERSION, connections: this.connections, extra: this.extra, misses: this.misses };
  }

  /** The recorded connection with this key (host compared without case), if any. */
  find(key: ConnectionKey): RecordedConnection | undefined {
    return this.connections.find((c) => sameKey(c.key, key));
  }
}

export function sameKey(a: ConnectionKey, b: ConnectionKey): boolean {
  return (
    a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.tls === b.tls && a.module === b.module && a.ordinal === b.ordinal
  );
}

/** `host:port` and the ordinal, as misses and errors name a connection. */
export function describeKey(key: ConnectionKey): string {
  return `${key.host}:${key.port} #${key.ordinal}`;
}
