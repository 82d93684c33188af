/**
 * The HTTP(S) group's service (§2.6, §3.6): the saved settings of AT+QHTTPCFG, one request at a
 * time through the client (client.ts, over dial() with the SSL group's contexts), and the last
 * response's body, kept in its socket until the host reads it (AT+QHTTPREAD) or streamed out in
 * chunks (output mode 1). It reports by events (reports.ts prints them) and prints no AT text.
 *
 * Push-back, never loss: the body is read from the socket only as fast as the host takes it.
 */
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { background } from '../feature/background.ts';
import type { FeatureHost } from '../feature/feature.ts';
import { Saved } from '../feature/saved.ts';
import type { DialNetwork } from '../net/dial.ts';
import { causeCode } from '../net/link.ts';
import { HttpError, HttpResult, type HttpResultCode } from '../results/index.ts';
import { sslDialNetwork } from '../ssl/dial-network.ts';
import { httpRequest } from './client.ts';
import { HttpFlash } from './settings.ts';
import type { HttpResponse, HttpSettings, RequestBody } from './types.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT';

/** §3.6.5: at most this many bytes per `+QHTTPURC: "recv"` chunk (FIDELITY.md). */
export const URC_CHUNK = 1024;

export interface HttpEvents {
  /** §3.6.1–3.6.3: the request's outcome (0 with the status, and the length when the server sent one). */
  result: [method: HttpMethod, result: HttpResultCode, status?: number, contentLength?: number];
  /** Output mode 1 (§3.6.5): the next piece of the response (head first with response/header 1). */
  chunk: [data: Buffer];
  /** Output mode 1: the body is all out, or failed (`result` ≠ 0). */
  streamed: [result: HttpResultCode];
}

interface Unread {
  /** The status line and headers, when response/header is 1, then the body. */
  head: Buffer | null;
  body: Readable;
}

export class HttpService extends EventEmitter<HttpEvents> {
  /** AT+QHTTPCFG's settings: changed by the command, written by the registry (saved). */
  readonly saved: Saved<HttpSettings>;
  private readonly network: DialNetwork;
  /** From the command until the response head (and, in output mode 1, the whole body). */
  private running: AbortController | null = null;
  /** The response waiting for AT+QHTTPREAD (output mode 0). */
  private unread: Unread | null = null;

  constructor(readonly host: FeatureHost) {
    super();
    this.saved = new Saved(host.section('http', HttpFlash));
    this.network = sslDialNetwork(host);
    host.onBoot(() => this.saved.revert());
    host.onReset(() => this.abandon());
  }

  get settings(): HttpSettings {
    return this.saved.value;
  }

  /** Whether a request runs now (a new one is ERROR). */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Whether a response waits for AT+QHTTPREAD. */
  get hasUnread(): boolean {
    return this.unread !== null;
  }

  /** Starts a request; its outcome comes as `result`. False when one already runs. */
  start(method: HttpMethod, waitSeconds: number, body?: RequestBody): boolean {
    if (this.running) return false;
    this.dropUnread();
    const abort = new AbortController();
    this.running = abort;
    background(this.host, () => this.run(method, waitSeconds, abort, body));
    return true;
  }

  /** A POST/PUT whose body never came (§2.6.3 body_wait_interval): result 10, nothing sent. */
  bodyTimedOut(method: HttpMethod): void {
    queueMicrotask(() => this.emit('result', method, HttpResult.BODY_WAIT_TIMEOUT));
  }

  /**
   * AT+QHTTPREAD: the unread response, head (response/header 1) then body, handed to `write` as it
   * comes from the socket; `write` returns a promise while the host is backed up. Resolves 0, or
   * 9 when the server sends nothing for `waitMs`, 4 when the connection fails mid-body; null when
   * there is nothing to read.
   */
  async read(write: (data: Buffer) => Promise<void>, waitMs: number): Promise<HttpResultCode | null> {
    const unread = this.unread;
    if (!unread) return null;
    this.unread = null;
    if (unread.head) await write(unread.head);
    return this.pump(unread.body, write, waitMs);
  }

  private async run(method: HttpMethod, waitSeconds: number, abort: AbortController, body?: RequestBody): Promise<void> {
    const s = this.settings;
    const boundaryRandom = this.host.world.randomFor('http-boundary');
    let response: HttpResponse;
    try {
      response = await httpRequest(this.network, this.host.clock, {
        method,
        url: s.url,
        headers: s.headers,
        auth: s.auth,
        body,
        sslCtx: s.sslCtx,
        responseTimeoutMs: waitSeconds * 1000,
        signal: abort.signal,
        ...(boundaryRandom ? { random: boundaryRandom } : {}),
      });
    } catch (error) {
      if (this.running !== abort) return; // reset meanwhile: nothing to report
      this.running = null;
      const result = error instanceof HttpError ? error.result : HttpResult.UNKNOWN_ERROR;
      const cause = causeCode(error);
      this.host.failure({ feature: 'http', result, detail: error instanceof Error ? error.message : String(error), ...(cause ? { cause } : {}) });
      this.emit('result', method, result);
      return;
    }
    if (this.running !== abort) {
      response.body.destroy();
      return;
    }
    const head = s.responseHeader === 1 ? response.rawHead : null;
    this.emit('result', method, HttpResult.OK, response.status, response.contentLength);
    if (s.output === 0) {
      this.running = null;
      this.unread = { head, body: response.body };
      return;
    }
    // Output mode 1: the response follows the result line as URCs, as fast as the host reads.
    const write = (data: Buffer) => {
      for (let at = 0; at < data.length; at += URC_CHUNK) this.emit('chunk', data.subarray(at, at + URC_CHUNK));
      return this.hostReady();
    };
    if (head) await write(head);
    const result = await this.pump(response.body, write, waitSeconds * 1000);
    if (this.running !== abort) return;
    this.running = null;
    this.emit('streamed', result);
  }

  /** Reads a body to its end, each piece through `write` (which pushes back); 9 on a silent server. */
  private async pump(body: Readable, write: (data: Buffer) => Promise<void>, waitMs: number): Promise<HttpResultCode> {
    const clock = this.host.clock;
    for (;;) {
      const chunk = body.read() as Buffer | null;
      if (chunk !== null) {
        await write(chunk);
        continue;
      }
      if (body.readableEnded) return HttpResult.OK;
      if (body.destroyed) return HttpResult.SOCKET_FAILURE;
      const outcome = await new Promise<'more' | 'end' | 'error' | 'timeout'>((resolve) => {
        const done = (why: 'more' | 'end' | 'error' | 'timeout') => {
          clock.clearTimeout(timer);
          body.off('readable', onReadable);
          body.off('end', onEnd);
          body.off('error', onError);
          body.off('close', onClose);
          resolve(why);
        };
        const onReadable = () => done('more');
        const onEnd = () => done('end');
        const onError = () => done('error');
        const onClose = () => done(body.readableEnded ? 'end' : 'error');
        const timer = clock.setTimeout(() => done('timeout'), waitMs);
        body.on('readable', onReadable);
        body.once('end', onEnd);
        body.once('error', onError);
        body.once('close', onClose);
      });
      if (outcome === 'end') {
        const rest = body.read() as Buffer | null;
        if (rest) await write(rest);
        return HttpResult.OK;
      }
      if (outcome === 'error') return HttpResult.SOCKET_FAILURE;
      if (outcome === 'timeout') {
        body.destroy();
        return HttpResult.RESPONSE_TIMEOUT;
      }
    }
  }

  /** Resolves once the host reads again (at once when it is not backed up). */
  hostReady(): Promise<void> {
    const line = this.host.line;
    if (!line.outputBlocked) return Promise.resolve();
    return new Promise((resolve) => {
      const onWritable = () => {
        if (line.outputBlocked) return;
        line.off('writable', onWritable);
        resolve();
      };
      line.on('writable', onWritable);
    });
  }

  private dropUnread(): void {
    this.unread?.body.destroy();
    this.unread = null;
  }

  /** Reset: the request and its response go, silently. */
  private abandon(): void {
    const running = this.running;
    this.running = null;
    running?.abort();
    this.dropUnread();
  }
}
