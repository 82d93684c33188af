/**
 * Recording one connected socket (after TLS, so plaintext) into its cassette entry without
 * changing how anyone uses it: received bytes are seen where the socket itself takes them in
 * (`push`, so paused-mode readers, 'data' listeners and flow control are untouched — a 'data'
 * tap would switch the stream to flowing and lose bytes before the owner listens), written bytes
 * where they go to the system (`_write`/`_writev`, so `end(chunk)` and corked writes count too),
 * and the close: the far side's FIN, a socket error, or the module's own close first.
 */
import type net from 'node:net';
import type { RecordedConnection } from './cassette.ts';

type Chunk = Buffer | string | Uint8Array;

/** `now()`: milliseconds since the dial started. */
export function tapSocket(socket: net.Socket, entry: RecordedConnection, now: () => number): void {
  let out = 0;
  const closeAs = (by: 'remote' | 'local' | 'error', error?: string): void => {
    if (entry.close) return;
    entry.close = { by, atMs: now(), afterOut: out, ...(error === undefined ? {} : { error }) };
  };
  const add = (dir: 'in' | 'out', bytes: Buffer): void => {
    if (bytes.length === 0) return;
    if (dir === 'out') out += bytes.length;
    entry.events.push({ dir, atMs: now(), data: bytes.toString('base64') });
  };

  const s = socket as net.Socket & {
    _write(chunk: Chunk, encoding: BufferEncoding, cb: (error?: Error | null) => void): void;
    _writev?(chunks: { chunk: Chunk; encoding: BufferEncoding }[], cb: (error?: Error | null) => void): void;
  };
  const push = s.push;
  s.push = function (chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) closeAs(s.writableEnded ? 'local' : 'remote');
    else if (chunk !== undefined) add('in', toBuffer(chunk as Chunk, encoding));
    return push.call(this, chunk, encoding);
  };
  const write = s._write;
  s._write = function (chunk, encoding, cb) {
    add('out', toBuffer(chunk, encoding));
    return write.call(this, chunk, encoding, cb);
  };
  const writev = s._writev;
  if (writev) {
    s._writev = function (chunks, cb) {
      for (const { chunk, encoding } of chunks) add('out', toBuffer(chunk, encoding));
      return writev.call(this, chunks, cb);
    };
  }
  socket.on('error', (error: NodeJS.ErrnoException) => closeAs('error', error.code ?? error.message));
  socket.once('close', () => closeAs('local'));
}

function toBuffer(chunk: Chunk, encoding: BufferEncoding | undefined): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding && encoding !== ('buffer' as BufferEncoding) ? encoding : 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
