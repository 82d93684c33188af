/**
 * SSL commands, manual §2.4.1–2.4.7 (example 4.4), URCs §3.4, formats per FIDELITY.md
 * (`+QSSL…: ` with one space, service type printed "SSL CLIENT"). Contexts, certificates and
 * TLS options are in src/ssl/; the TLS sockets share the socket table of src/net/.
 */
import type { ExecContext } from '../at/engine.ts';
import { PROMPT_CONNECT } from '../at/framing.ts';
import { declare, param } from '../commands/declare.ts';
import type { Args } from '../commands/params.ts';
import type { CommandSpec, WriteForm } from '../commands/registry.ts';
import { background } from '../feature/background.ts';
import { type SocketInfo } from '../net/types.ts';
import { Result } from '../results/index.ts';
import { CIPHER_SUITES as CIPHER_NAMES, tlsOptions } from '../ssl/tls-options.ts';
import { ALL_CIPHER_SUITES, CERT_TYPES, type CertType, type SslContextConfig } from '../ssl/types.ts';
import { dataLine, hexScale, port, result, sendFromHost, socketId, stateLines } from '../tcpip/socket-common.ts';
import type { SslService } from './service.ts';

type Spec = CommandSpec<SslService>;
const { form, keyed } = declare<SslService>();

const ctxId = param.int('SSL_ctxID', { min: 0, max: 5 });
/** The largest certificate AT+QSSLCERT takes (our figure; the manual gives none). */
export const MAX_CERT_BYTES = 16 * 1024;
/** Data mode of a certificate upload: the host may pause this long between bytes. */
const CERT_IDLE_TIMEOUT_MS = 10_000;
/** §2.4.1 <cs_id> values: the ids tls-options.ts maps to OpenSSL names, and 0xFFFF (all). */
export const CIPHER_SUITES: readonly number[] = [...CIPHER_NAMES.keys(), ALL_CIPHER_SUITES];

const hex4 = (n: number) => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;

/** AT+QSSLCFG="<name>",<ctx>[,<value>]: without the value, the current one. */
function ctxSetting(name: string, value: { min?: number; max?: number; values?: readonly number[] }, key: keyof SslContextConfig): WriteForm<SslService> {
  return form([ctxId, param.int('value', { ...value, optional: true })], (ctx, ssl, args) => {
    const id = args.int('SSL_ctxID');
    const v = args.optInt('value');
    if (v === undefined) ctx.line(`+QSSLCFG: "${name}",${id},${ssl.contexts.get(id)[key]}`);
    else ssl.contexts.set(id, { [key]: v });
    return 'OK';
  });
}

const cipherParams = Array.from({ length: CIPHER_SUITES.length }, (_, i) => ({
  name: `cs_id${i + 1}` as `cs_id${number}`,
  type: 'hex' as const,
  min: 0,
  max: 0xffff,
  optional: true,
}));

const qsslcfg = keyed(param.str('setting', { quoted: true }), {
  version: ctxSetting('version', { min: 0, max: 4 }, 'version'),
  verify: ctxSetting('verify', { min: 0, max: 2 }, 'verify'),
  ciphersuite: form([ctxId, ...cipherParams], (ctx, ssl, args) => {
    const id = args.int('SSL_ctxID');
    const ids = cipherParams.map((p) => args.optInt(p.name)).filter((v): v is number => v !== undefined);
    if (ids.length === 0) {
      ctx.line(`+QSSLCFG: "ciphersuite",${id},${ssl.contexts.get(id).ciphersuites.map(hex4).join(',')}`);
      return 'OK';
    }
    if (!ids.every((c) => CIPHER_SUITES.includes(c))) return 'ERROR';
    ssl.contexts.set(id, { ciphersuites: ids });
    return 'OK';
  }),
  negotiatetimeout: ctxSetting('negotiatetimeout', { min: 60, max: 300 }, 'negotiateTimeout'),
  sni: ctxSetting('sni', { values: [0, 1] }, 'sni'),
});

const certParams = [
  param.str('cert_type', { quoted: true, values: CERT_TYPES }),
  param.int('operation_mode', { values: [0, 1, 2] }),
  param.int('length', { min: 1, max: MAX_CERT_BYTES, optional: true }),
] as const;

async function certOperation(ctx: ExecContext, ssl: SslService, args: Args<typeof certParams>): Promise<string> {
  const type = args.str('cert_type') as CertType;
  const mode = args.int('operation_mode');
  const store = ssl.certs;
  if (mode !== 2 && args.has('length')) return 'ERROR';
  if (mode === 0) {
    store.delete(type);
    return 'OK';
  }
  if (mode === 1) {
    const pem = store.get(type);
    if (!pem) return 'ERROR';
    ctx.line(`+QSSLCERT: "${type}",${pem.length}`);
    dataLine(ctx, ssl.sockets, pem);
    return 'OK';
  }
  // Upload: CONNECT, then exactly <length> bytes, written to flash when complete and valid.
  if (!args.has('length')) return 'ERROR';
  const data = await ctx.readData(args.int('length'), { prompt: PROMPT_CONNECT, idleTimeoutMs: CERT_IDLE_TIMEOUT_MS });
  if (!data.complete) return 'ERROR';
  return store.put(type, data.bytes).ok ? 'OK' : 'ERROR';
}

const sslOnly = (s: SocketInfo) => s.type === 'SSL CLIENT';

export const sslCommands: Spec[] = [
  {
    name: '+QSSLCFG',
    section: '2.4.1',
    summary: 'Configure SSL context parameters',
    test: [
      '+QSSLCFG: "version",(0-5),(0-4)',
      '+QSSLCFG: "verify",(0-5),(0-2)',
      `+QSSLCFG: "ciphersuite",(0-5),(${CIPHER_SUITES.map(hex4).join(',')})`,
      '+QSSLCFG: "negotiatetimeout",(0-5),(60-300)',
      '+QSSLCFG: "sni",(0-5),(0,1)',
    ],
    write: qsslcfg,
  },
  {
    // 2.4.2: saved in flash; upload through CONNECT data mode of exactly <length> bytes.
    name: '+QSSLCERT',
    section: '2.4.2',
    summary: 'Upload/download/delete SSL certificates',
    saved: true,
    test: ['+QSSLCERT: ("CA","User Cert","User Key"),(0-2)'],
    read: (ctx, ssl) => {
      for (const type of CERT_TYPES) ctx.line(`+QSSLCERT: "${type}",${ssl.certs.has(type) ? 1 : 0}`);
      return 'OK';
    },
    write: form(certParams, certOperation),
  },
  {
    // 2.4.3: OK then +QSSLOPEN: <id>,<err> (§3.4.1); transparent mode answers CONNECT or ERROR.
    // Example 4.4 leaves out <local_port> and <access_mode>: 0 (any) and buffer mode.
    name: '+QSSLOPEN',
    aliases: ['+QSSOPEN'],
    section: '2.4.3',
    summary: 'Open an SSL client',
    test: ['+QSSLOPEN: (0-5),(0-11),"ip/dns",(1-65535),(1-65535),(0-2)'],
    write: form([
      ctxId,
      socketId,
      { name: 'host', type: 'string', quoted: true, minLength: 1, maxLength: 255 },
      port('remote_port'),
      param.int('local_port', { min: 0, max: 65535, optional: true, default: 0 }),
      { name: 'access_mode', type: 'int', values: [0, 1, 2], optional: true, default: 0 },
    ], async (ctx, ssl, args) => {
      const request = {
        ctx: args.int('SSL_ctxID'),
        id: args.int('socketID'),
        host: args.str('host').trim(), // example 4.4 has "220.180.239.212 "
        remotePort: args.int('remote_port'),
        localPort: args.int('local_port'),
        mode: args.int('access_mode') as 0 | 1 | 2,
      };
      const transparent = request.mode === 2;
      const options = tlsOptions(ssl.contexts.get(request.ctx), ssl.certs, request.host);
      if (!options.ok) {
        if (transparent) return result(ssl.sockets, options.result);
        ssl.sockets.lastResult = options.result;
        ssl.host.urc(`+QSSLOPEN: ${request.id},${options.result}`);
        return 'OK';
      }
      if (!transparent) {
        background(ssl.host, () => ssl.sockets.net.openSsl(request, options)); // the outcome comes as +QSSLOPEN
        return 'OK';
      }
      const code = await ssl.sockets.net.openSsl(request, options);
      if (code !== Result.OK) return result(ssl.sockets, code);
      ssl.sockets.lastResult = Result.OK;
      const session = ssl.sockets.reports.session(request.id);
      ctx.afterResponse(() => session.deliver());
      return ctx.enterTransparent(session);
    }),
  },
  {
    // 2.4.4: inline data (text or hex per AT+QICFG="datatype"), or the prompt form.
    name: '+QSSLSEND',
    section: '2.4.4',
    summary: 'Send data via SSL client',
    write: form([
      socketId,
      { name: 'send_len', type: 'int', min: 1, max: 1460 },
      { name: 'data', type: 'string', quoted: true, optional: true, maxLength: 2920, counted: 'send_len' },
    ], async (ctx, ssl, args) => {
      const id = args.int('socketID');
      const len = args.int('send_len');
      const info = ssl.sockets.net.info(id);
      if (!info || info.type !== 'SSL CLIENT') return result(ssl.sockets, Result.ID_NOT_EXIST);
      return sendFromHost(ctx, ssl.sockets, { info, len, text: args.optBytes('data'), prefix: '+QSSLSEND' });
    }, { payloadScale: (ssl) => hexScale(ssl.sockets) }),
  },
  {
    // 2.4.5: +QSSLRECV: <len>, the data on its own line, OK.
    name: '+QSSLRECV',
    section: '2.4.5',
    summary: 'Read data received by SSL client',
    write: form([socketId, { name: 'read_len', type: 'int', min: 1, max: 1500 }], (ctx, ssl, args) => {
      const id = args.int('socketID');
      const info = ssl.sockets.net.info(id);
      if (!info || info.type !== 'SSL CLIENT') return result(ssl.sockets, Result.ID_NOT_EXIST);
      const chunk = ssl.sockets.net.read(id, args.int('read_len'));
      ssl.sockets.reports.readDone(id);
      const data = chunk?.data ?? Buffer.alloc(0);
      ctx.line(`+QSSLRECV: ${data.length}`);
      if (data.length > 0) dataLine(ctx, ssl.sockets, data);
      return result(ssl.sockets, Result.OK);
    }),
  },
  {
    name: '+QSSLSTATE',
    section: '2.4.6',
    summary: 'Query SSL client state',
    exec: (ctx, ssl) => stateLines(ctx, ssl.sockets, '+QSSLSTATE', sslOnly),
    read: (ctx, ssl) => stateLines(ctx, ssl.sockets, '+QSSLSTATE', sslOnly),
    write: form([socketId], (ctx, ssl, args) => stateLines(ctx, ssl.sockets, '+QSSLSTATE', sslOnly, args.int('socketID'))),
  },
  {
    // 2.4.7: OK, then +QSSLURC: "closed",<id> (§3.4.3). Default timeout 10 s.
    name: '+QSSLCLOSE',
    section: '2.4.7',
    summary: 'Close SSL client',
    write: form([socketId, { name: 'close_timeout', type: 'int', min: 1, max: 60, optional: true, default: 10 }], async (_ctx, ssl, args) => {
      const id = args.int('socketID');
      if (ssl.sockets.net.info(id)?.type !== 'SSL CLIENT') return result(ssl.sockets, Result.ID_NOT_EXIST);
      const code = await ssl.sockets.net.close(id, args.int('close_timeout') * 1000);
      if (code !== Result.OK) return result(ssl.sockets, code);
      ssl.sockets.reports.forget(id);
      ssl.host.urc(`+QSSLURC: "closed",${id}`);
      return result(ssl.sockets, Result.OK);
    }),
  },
];
