/**
 * HTTP(S) commands, manual §2.6.1–2.6.5 (example 4.6), formats per FIDELITY.md ("HTTP as real
 * modules do it"). AT+QHTTPCFG is saved automatically; a request answers OK at once (after its
 * body, for POST and PUT) and its outcome comes as the URC reports.ts prints.
 */
import type { ExecContext } from '../at/engine.ts';
import { PROMPT_CONNECT } from '../at/framing.ts';
import { declare, param } from '../commands/declare.ts';
import type { CommandSpec } from '../commands/registry.ts';
import type { HttpMethod, HttpService } from './service.ts';
import type { RequestBody } from './types.ts';
import { badHeader, parseHttpUrl } from './url.ts';

type Spec = CommandSpec<HttpService>;
const { form, keyed } = declare<HttpService>();

/** §2.6.3/2.6.4 <body_length>. */
export const MAX_BODY = 102_400;
const waitTime = (name: 'wait_response_time' | 'wait_response_interval') => param.int(name, { min: 60, max: 65535, optional: true, default: 60 });
const bodyParams = [
  param.int('body_length', { min: 1, max: MAX_BODY }),
  param.int('body_wait_interval', { min: 1, max: 65535, optional: true, default: 60 }),
  waitTime('wait_response_time'),
] as const;
const formParams = [
  ...bodyParams,
  param.str('name', { quoted: true, minLength: 1, maxLength: 256, optional: true }),
  param.str('file_name', { quoted: true, maxLength: 256, optional: true }),
  param.str('content_type', { quoted: true, maxLength: 256, optional: true }),
] as const;

const qhttpcfg = keyed(param.str('setting', { quoted: true }), {
  // A URL without http(s) scheme or host, or with spaces, is ERROR (it would make a malformed request).
  url: form([param.str('url_string', { quoted: true, maxLength: 2048, optional: true })], (ctx, http, args) => {
    const url = args.optStr('url_string');
    if (url === undefined) {
      ctx.line(`+QHTTPCFG: "url",${http.settings.url}`);
      return 'OK';
    }
    if (!parseHttpUrl(url)) return 'ERROR';
    http.saved.value.url = url;
    return 'OK';
  }),
  // "header": list all; a name alone deletes it; a name and a value set it (names verbatim).
  header: form(
    [param.str('hname', { quoted: true, maxLength: 256, optional: true }), param.str('hvalue', { quoted: true, maxLength: 1024, optional: true })],
    (ctx, http, args) => {
      const name = args.optStr('hname');
      const value = args.optStr('hvalue');
      const headers = http.saved.value.headers;
      if (name === undefined) {
        for (const h of headers) ctx.line(`+QHTTPCFG: "header",${h.name},${h.value}`);
        return 'OK';
      }
      const at = headers.findIndex((h) => h.name.toLowerCase() === name.toLowerCase());
      if (value === undefined) {
        if (at < 0) return 'ERROR';
        headers.splice(at, 1);
        return 'OK';
      }
      if (badHeader(name, value)) return 'ERROR';
      if (at >= 0) headers[at] = { name, value };
      else headers.push({ name, value });
      return 'OK';
    },
  ),
  auth: form(
    [param.str('username', { quoted: true, maxLength: 256, optional: true }), param.str('password', { quoted: true, maxLength: 256, optional: true })],
    (ctx, http, args) => {
      const username = args.optStr('username');
      if (username === undefined) {
        const auth = http.settings.auth;
        ctx.line(`+QHTTPCFG: "auth",${auth?.username ?? ''},${auth?.password ?? ''}`);
        return 'OK';
      }
      const password = args.optStr('password') ?? '';
      if (/[\r\n]/.test(username + password)) return 'ERROR';
      http.saved.value.auth = username === '' && password === '' ? null : { username, password };
      return 'OK';
    },
  ),
  'response/output': form([param.int('output_mode', { values: [0, 1], optional: true })], (ctx, http, args) => {
    const mode = args.optInt('output_mode');
    if (mode === undefined) ctx.line(`+QHTTPCFG: "response/output",${http.settings.output}`);
    else http.saved.value.output = mode as 0 | 1;
    return 'OK';
  }),
  'response/header': form([param.int('save_header', { values: [0, 1], optional: true })], (ctx, http, args) => {
    const save = args.optInt('save_header');
    if (save === undefined) ctx.line(`+QHTTPCFG: "response/header",${http.settings.responseHeader}`);
    else http.saved.value.responseHeader = save as 0 | 1;
    return 'OK';
  }),
  sslctxid: form([param.int('SSL_ctxID', { min: 0, max: 5, optional: true })], (ctx, http, args) => {
    const id = args.optInt('SSL_ctxID');
    if (id === undefined) ctx.line(`+QHTTPCFG: "sslctxid",${http.settings.sslCtx}`);
    else http.saved.value.sslCtx = id;
    return 'OK';
  }),
});

/** GET: ERROR without a URL or while a request runs; OK, then the result URC. */
function get(http: HttpService, waitSeconds: number): string {
  if (http.settings.url === '' || http.busy) return 'ERROR';
  return http.start('GET', waitSeconds) ? 'OK' : 'ERROR';
}

/**
 * POST/PUT: `CONNECT`, exactly <body_length> bytes (CRLFs in them count), `OK`, then the result
 * URC; a body that does not come within <body_wait_interval> is `OK` then result 10, nothing sent.
 */
async function send(
  ctx: ExecContext,
  http: HttpService,
  method: HttpMethod,
  length: number,
  bodyWaitSeconds: number,
  waitSeconds: number,
  wrap: (bytes: Buffer) => RequestBody,
): Promise<string> {
  if (http.settings.url === '' || http.busy) return 'ERROR';
  const data = await ctx.readData(length, { prompt: PROMPT_CONNECT, idleTimeoutMs: bodyWaitSeconds * 1000 });
  if (!data.complete) {
    http.bodyTimedOut(method);
    return 'OK';
  }
  return http.start(method, waitSeconds, wrap(data.bytes)) ? 'OK' : 'ERROR';
}

export const httpCommands: Spec[] = [
  {
    // 2.6.1: saved automatically; every setting has its query form.
    name: '+QHTTPCFG',
    section: '2.6.1',
    summary: 'Configure parameters for HTTP(S) client',
    saved: true,
    test: [
      '+QHTTPCFG: "url",<url_string>',
      '+QHTTPCFG: "header",<hname>,<hvalue>',
      '+QHTTPCFG: "auth",<username>,<password>',
      '+QHTTPCFG: "response/output",(0,1)',
      '+QHTTPCFG: "response/header",(0,1)',
      '+QHTTPCFG: "sslctxid",(0-5)',
    ],
    write: qhttpcfg,
  },
  {
    // 2.6.2: OK, then +QHTTPGET: <result>[,<status_code>[,<content_length>]] (§3.6.1).
    name: '+QHTTPGET',
    section: '2.6.2',
    summary: 'Send GET request to HTTP(S) server',
    test: ['+QHTTPGET: (60-65535)'],
    exec: (_ctx, http) => get(http, 60),
    write: form([waitTime('wait_response_time')], (_ctx, http, args) => get(http, args.int('wait_response_time'))),
  },
  {
    // 2.6.3: a raw body, or the form-data form (one part named <name>, FIDELITY.md).
    name: '+QHTTPPOST',
    section: '2.6.3',
    summary: 'Send POST request to HTTP(S) server',
    test: ['+QHTTPPOST: (1-102400),(1-65535),(60-65535)[,<name>[,<file_name>[,<content_type>]]]'],
    write: form(formParams, (ctx, http, args) => {
      const name = args.optStr('name');
      if (name === undefined && (args.has('file_name') || args.has('content_type'))) return 'ERROR';
      const wrap = (bytes: Buffer): RequestBody =>
        name === undefined
          ? { kind: 'raw', bytes }
          : { kind: 'form', bytes, name, fileName: args.optStr('file_name') ?? '', contentType: args.optStr('content_type') ?? '' };
      return send(ctx, http, 'POST', args.int('body_length'), args.int('body_wait_interval'), args.int('wait_response_time'), wrap);
    }),
  },
  {
    name: '+QHTTPPUT',
    section: '2.6.4',
    summary: 'Send PUT request to HTTP(S) server',
    test: ['+QHTTPPUT: (1-102400),(1-65535),(60-65535)'],
    write: form(bodyParams, (ctx, http, args) =>
      send(ctx, http, 'PUT', args.int('body_length'), args.int('body_wait_interval'), args.int('wait_response_time'), (bytes) => ({ kind: 'raw', bytes })),
    ),
  },
  {
    // 2.6.5 (FIDELITY.md): `CONNECT\r\n`, the body right after it, `\r\nOK\r\n`, then +QHTTPREAD: <result>.
    name: '+QHTTPREAD',
    section: '2.6.5',
    summary: 'Read response data of HTTP(S) request',
    test: ['+QHTTPREAD: (60-65535)'],
    exec: (ctx, http) => read(ctx, http, 60),
    write: form([waitTime('wait_response_interval')], (ctx, http, args) => read(ctx, http, args.int('wait_response_interval'))),
  },
];

async function read(ctx: ExecContext, http: HttpService, waitSeconds: number): Promise<string> {
  if (!http.hasUnread) return 'ERROR';
  ctx.raw(PROMPT_CONNECT);
  const result = await http.read(async (data) => {
    ctx.raw(data);
    await http.hostReady();
  }, waitSeconds * 1000);
  http.host.urc(`+QHTTPREAD: ${result ?? 0}`);
  return 'OK';
}
