/**
 * The response body is the socket's, paused: the client reads from the network only as fast as
 * its caller reads the body (TCP pushes back on the server meanwhile), never buffering a large
 * body, and hands every byte over unchanged.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type net from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { realClock } from '../../src/clock.ts';
import { httpRequest } from '../../src/http/client.ts';
import type { HttpRequest } from '../../src/http/types.ts';
import { clientNetwork, httpServer, httpsServer } from '../helpers/http-servers.ts';
import { pki } from '../ssl/certs.ts';

const MiB = 1024 * 1024;

function get(url: string, sslCtx = 1): HttpRequest {
  return { method: 'GET', url, headers: [], auth: null, sslCtx, responseTimeoutMs: 10_000 };
}

/** Reads the whole body in small bites with pauses, as a slow host would. */
async function readSlowly(body: Readable, bite = 4096, every = 64 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let sinceRest = 0;
  for (;;) {
    const chunk = body.read(bite) as Buffer | null ?? (body.readableLength > 0 ? (body.read() as Buffer | null) : null);
    if (chunk) {
      chunks.push(chunk);
      sinceRest += chunk.length;
      if (sinceRest >= every) {
        sinceRest = 0;
        await sleep(2);
      }
      continue;
    }
    if (body.readableEnded) break;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        body.off('readable', done);
        body.off('end', done);
        body.off('close', closed);
        resolve();
      };
      const closed = () => (body.readableEnded ? done() : reject(new Error('the body closed before its end')));
      body.once('readable', done);
      body.once('end', done);
      body.once('close', closed);
    });
  }
  return Buffer.concat(chunks);
}

/** A server sending `body` in 16 KiB writes, waiting for 'drain' whenever a write is refused; it reports how far it got. */
async function streamingServer(body: Buffer, secure = false) {
  const progress = { written: 0, blocked: false, done: false };
  const handler = (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream' });
    const pump = (): void => {
      while (progress.written < body.length) {
        const chunk = body.subarray(progress.written, progress.written + 16384);
        progress.written += chunk.length;
        if (!res.write(chunk)) {
          progress.blocked = true;
          res.once('drain', () => {
            progress.blocked = false;
            pump();
          });
          return;
        }
      }
      progress.done = true;
      res.end();
    };
    pump();
  };
  const server = secure ? await httpsServer(handler) : await httpServer(handler);
  return { port: server.port, progress };
}

test('1 MiB read slowly: every byte unchanged, and the client takes from the socket only what is read', async () => {
  const body = randomBytes(MiB);
  const server = await streamingServer(body);
  const { network } = clientNetwork();
  const response = await httpRequest(network, realClock, get(`http://127.0.0.1:${server.port}/1M`));
  assert.equal(response.status, 200);
  assert.equal(response.contentLength, MiB);
  await sleep(300); // the caller reads nothing for a while
  const socket = (response.body as Readable & { socket: net.Socket }).socket;
  assert.ok(response.body.isPaused() || response.body.readableFlowing !== true, 'the body is not flowing by itself');
  assert.ok(socket.bytesRead < MiB / 2, `the client read ${socket.bytesRead} bytes off the socket unasked`);
  assert.ok(response.body.readableLength <= 128 * 1024, `${response.body.readableLength} bytes buffered in the body`);
  const got = await readSlowly(response.body);
  assert.equal(got.length, body.length);
  assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(body).digest('hex'));
  assert.ok(server.progress.done);
});

test('a body larger than the kernel buffers: the server is pushed back until the caller reads, then all of it arrives', async () => {
  const body = randomBytes(16 * MiB);
  const server = await streamingServer(body);
  const { network } = clientNetwork();
  const response = await httpRequest(network, realClock, get(`http://127.0.0.1:${server.port}/big`));
  await sleep(300);
  assert.ok(server.progress.blocked, 'the server waits for drain');
  assert.ok(server.progress.written < body.length, `the server wrote ${server.progress.written} of ${body.length} bytes`);
  const stalledAt = server.progress.written;
  await sleep(200);
  assert.equal(server.progress.written, stalledAt, 'still pushed back while nobody reads');
  const got = await readSlowly(response.body, 65536, 4 * MiB);
  assert.equal(got.length, body.length);
  assert.ok(got.equals(body), 'byte-exact');
});

test('https: 1 MiB through the SSL context, unchanged', async () => {
  const body = randomBytes(MiB);
  const server = await streamingServer(body, true);
  const rig = clientNetwork({ 'secure.test': { address: '127.0.0.1', ports: { '443': server.port } } });
  assert.ok(rig.certs.put('CA', pki().ca.cert).ok);
  assert.ok(rig.contexts.set(1, { verify: 1, sni: 1 }));
  const response = await httpRequest(rig.network, realClock, get('https://secure.test/1M'));
  await sleep(200);
  const socket = (response.body as Readable & { socket: net.Socket }).socket;
  assert.ok(socket.bytesRead < MiB / 2, `the client read ${socket.bytesRead} bytes off the socket unasked`);
  const got = await readSlowly(response.body);
  assert.ok(got.equals(body));
});
