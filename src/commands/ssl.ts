/**
 * SSL commands, manual §2.4.1–2.4.7 (example 4.4), URCs §3.4, formats per FIDELITY.md
 * (`+QSSL…: ` with one space, service type printed "SSL CLIENT"). Contexts, certificates and
 * TLS options are in src/ssl/; the TLS sockets share the socket table of src/net/.
 */
import type { ExecContext } from '../at/engine.ts';
import { PROMPT_CONNECT } from '../at/framing.ts';
import { background } from '../device/background.ts';
import type { Fc41dModule } from '../device/module.ts';
import { type SocketInfo } from '../net/types.ts';
import { Result } from '../results/index.ts';
import { CIPHER_SUITES as CIPHER_NAMES, tlsOptions } from '../ssl/tls-options.ts';
import { ALL_CIPHER_SUITES, CERT_TYPES, type CertType, type SslContextConfig } from '../ssl/types.ts';
import type { Args, IntParam, ParamSpec } from './params.ts';
import type { CommandSpec, KeyedWriteForm, WriteForm } from './registry.ts';
import { dataLine, hexScale, port, result, sendFromHost, socketId, stateLines } from './socket-common.ts';

type Spec = CommandSpec<Fc41dModule>;

const ctxId: IntParam = { name: 'SSL_ctxID', type: 'int', min: 0, max: 5 };
/** The largest certificate AT+QSSLCERT takes (our figure; the manual gives none). */
export const MAX_CERT_BYTES = 16 * 1024;
/** Data mode of a certificate upload: the host may pause this long between bytes. */
const CERT_IDLE_TIMEOUT_MS = 10_000;
/** §2.4.1 <cs_id> values: the ids tls-options.ts maps to OpenSSL names, and 0xFFFF (all). */
export const CIPHER_SUITES: readonly number[] = [...CIPHER_NAMES.keys(), ALL_CIPHER_SUITES];

const hex4 = (n: number) => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;

/** AT+QSSLCFG="<name>",<ctx>[,<value>]: without the value, the current one. */
function ctxSetting(name: string, value: ParamSpec, key: keyof SslContextConfig): WriteForm<Fc41dModule> {
  return {
    params: [ctxId, { ...value, optional: true }],
    handler: (ctx, device, args) => {
      const id = args.int('SSL_ctxID');
      const v = args.optInt(value.name);
      if (v === undefined) ctx.line(`+QSSLCFG: "${name}",${id},${device.ssl.contexts.get(id)[key]}`);
      else device.ssl.contexts.set(id, { [key]: v });
      return 'OK';
    },
  };
}

const cipherParams: ParamSpec[] = Array.from({ length: CIPHER_SUITES.length }, (_, i) => ({
  name: `cs_id${i + 1}`,
  type: 'hex',
  min: 0,
  max: 0xffff,
  optional: true,
}));

const qsslcfg: KeyedWriteForm<Fc41dModule> = {
  key: { name: 'setting', type: 'string', quoted: true },
  variants: {
    version: ctxSetting('version', { name: 'SSL_version', type: 'int', min: 0, max: 4 }, 'version'),
    verify: ctxSetting('verify', { name: 'verify_level', type: 'int', min: 0, max: 2 }, 'verify'),
    ciphersuite: {
      params: [ctxId, ...cipherParams],
      handler: (ctx, device, args) => {
        const id = args.int('SSL_ctxID');
        const ids = cipherParams.map((p) => args.optInt(p.name)).filter((v): v is number => v !== undefined);
        if (ids.length === 0) {
          ctx.line(`+QSSLCFG: "ciphersuite",${id},${device.ssl.contexts.get(id).ciphersuites.map(hex4).join(',')}`);
          return 'OK';
        }
        if (!ids.every((c) => CIPHER_SUITES.includes(c))) return 'ERROR';
        device.ssl.contexts.set(id, { ciphersuites: ids });
        return 'OK';
      },
    },
    negotiatetimeout: ctxSetting('negotiatetimeout', { name: 'negotiate_time', type: 'int', min: 60, max: 300 }, 'negotiateTimeout'),
    sni: ctxSetting('sni', { name: 'SNI_value', type: 'int', values: [0, 1] }, 'sni'),
  },
};

async function certOperation(ctx: ExecContext, device: Fc41dModule, args: Args): Promise<string> {
  const type = args.str('cert_type') as CertType;
  const mode = args.int('operation_mode');
  const store = device.ssl.certs;
  if (mode !== 2 && args.has('length')) return 'ERROR';
  if (mode === 0) {
    store.delete(type);
    return 'OK';
  }
  if (mode === 1) {
    const pem = store.get(type);
    if (!pem) return 'ERROR';
    ctx.line(`+QSSLCERT: "${type}",${pem.length}`);
    dataLine(ctx, device, pem);
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
    read: (ctx, device) => {
      for (const type of CERT_TYPES) ctx.line(`+QSSLCERT: "${type}",${device.ssl.certs.has(type) ? 1 : 0}`);
      return 'OK';
    },
    write: {
      params: [
        { name: 'cert_type', type: 'string', quoted: true, values: CERT_TYPES },
        { name: 'operation_mode', type: 'int', values: [0, 1, 2] },
        { name: 'length', type: 'int', min: 1, max: MAX_CERT_BYTES, optional: true },
      ],
      handler: certOperation,
    },
  },
  {
    // 2.4.3: OK then +QSSLOPEN: <id>,<err> (§3.4.1); transparent mode answers CONNECT or ERROR.
    // Example 4.4 leaves out <local_port> and <access_mode>: 0 (any) and buffer mode.
    name: '+QSSLOPEN',
    aliases: ['+QSSOPEN'],
    section: '2.4.3',
    summary: 'Open an SSL client',
    test: ['+QSSLOPEN: (0-5),(0-11),"ip/dns",(1-65535),(1-65535),(0-2)'],
    write: {
      params: [
        ctxId,
        socketId,
        { name: 'host', type: 'string', quoted: true, minLength: 1, maxLength: 255 },
        port('remote_port'),
        { ...port('local_port', 0), optional: true, default: 0 },
        { name: 'access_mode', type: 'int', values: [0, 1, 2], optional: true, default: 0 },
      ],
      handler: async (ctx, device, args) => {
        const request = {
          ctx: args.int('SSL_ctxID'),
          id: args.int('socketID'),
          host: args.str('host').trim(), // example 4.4 has "220.180.239.212 "
          remotePort: args.int('remote_port'),
          localPort: args.int('local_port'),
          mode: args.int('access_mode') as 0 | 1 | 2,
        };
        const transparent = request.mode === 2;
        const options = tlsOptions(device.ssl.contexts.get(request.ctx), device.ssl.certs, request.host);
        if (!options.ok) {
          if (transparent) return result(device, options.result);
          device.sockets.lastResult = options.result;
          device.urc(`+QSSLOPEN: ${request.id},${options.result}`);
          return 'OK';
        }
        if (!transparent) {
          background(device, () => device.net.openSsl(request, options)); // the outcome comes as +QSSLOPEN
          return 'OK';
        }
        const code = await device.net.openSsl(request, options);
        if (code !== Result.OK) return result(device, code);
        device.sockets.lastResult = Result.OK;
        const session = device.sockets.session(request.id);
        ctx.afterResponse(() => session.deliver());
        return ctx.enterTransparent(session);
      },
    },
  },
  {
    // 2.4.4: inline data (text or hex per AT+QICFG="datatype"), or the prompt form.
    name: '+QSSLSEND',
    section: '2.4.4',
    summary: 'Send data via SSL client',
    write: {
      params: [
        socketId,
        { name: 'send_len', type: 'int', min: 1, max: 1460 },
        { name: 'data', type: 'string', quoted: true, optional: true, maxLength: 2920, counted: 'send_len' },
      ],
      payloadScale: hexScale,
      handler: async (ctx, device, args) => {
        const id = args.int('socketID');
        const len = args.int('send_len');
        const info = device.net.info(id);
        if (!info || info.type !== 'SSL CLIENT') return result(device, Result.ID_NOT_EXIST);
        return sendFromHost(ctx, device, { info, len, text: args.optBytes('data'), prefix: '+QSSLSEND' });
      },
    },
  },
  {
    // 2.4.5: +QSSLRECV: <len>, the data on its own line, OK.
    name: '+QSSLRECV',
    section: '2.4.5',
    summary: 'Read data received by SSL client',
    write: {
      params: [socketId, { name: 'read_len', type: 'int', min: 1, max: 1500 }],
      handler: (ctx, device, args) => {
        const id = args.int('socketID');
        const info = device.net.info(id);
        if (!info || info.type !== 'SSL CLIENT') return result(device, Result.ID_NOT_EXIST);
        const chunk = device.net.read(id, args.int('read_len'));
        device.sockets.readDone(id);
        const data = chunk?.data ?? Buffer.alloc(0);
        ctx.line(`+QSSLRECV: ${data.length}`);
        if (data.length > 0) dataLine(ctx, device, data);
        return result(device, Result.OK);
      },
    },
  },
  {
    name: '+QSSLSTATE',
    section: '2.4.6',
    summary: 'Query SSL client state',
    exec: (ctx, device) => stateLines(ctx, device, '+QSSLSTATE', sslOnly),
    read: (ctx, device) => stateLines(ctx, device, '+QSSLSTATE', sslOnly),
    write: { params: [socketId], handler: (ctx, device, args) => stateLines(ctx, device, '+QSSLSTATE', sslOnly, args.int('socketID')) },
  },
  {
    // 2.4.7: OK, then +QSSLURC: "closed",<id> (§3.4.3). Default timeout 10 s.
    name: '+QSSLCLOSE',
    section: '2.4.7',
    summary: 'Close SSL client',
    write: {
      params: [socketId, { name: 'close_timeout', type: 'int', min: 1, max: 60, optional: true, default: 10 }],
      handler: async (_ctx, device, args) => {
        const id = args.int('socketID');
        if (device.net.info(id)?.type !== 'SSL CLIENT') return result(device, Result.ID_NOT_EXIST);
        const code = await device.net.close(id, args.int('close_timeout') * 1000);
        if (code !== Result.OK) return result(device, code);
        device.sockets.forget(id);
        device.urc(`+QSSLURC: "closed",${id}`);
        return result(device, Result.OK);
      },
    },
  },
];
