/**
 * An SSL context (§2.4.1) and the certificate store (§2.4.2) → options for `tls.connect`, the
 * way the module's TLS stack would use them. Shared by AT+QSSLOPEN, MQTT and HTTPS. The tables
 * and the reasons behind them are in docs/ssl-service.md.
 */
import tls from 'node:tls';
import { hostKind } from '../net/resolve.ts';
import { Result } from '../results/index.ts';
import type { CertStore } from './cert-store.ts';
import { validSslContext } from './contexts.ts';
import { ALL_CIPHER_SUITES, SSL_CONTEXTS, type SslContextConfig, type SslVersion, type TlsOptionsResult } from './types.ts';

/** §2.4.1 <cs_id> → OpenSSL cipher name. RC4 is named but not in OpenSSL 3 (see the docs). */
export const CIPHER_SUITES: ReadonlyMap<number, string> = new Map([
  [0x0004, 'RC4-MD5'],
  [0x0005, 'RC4-SHA'],
  [0x002f, 'AES128-SHA'],
  [0x0035, 'AES256-SHA'],
  [0x003c, 'AES128-SHA256'],
  [0x003d, 'AES256-SHA256'],
  [0xc027, 'ECDHE-RSA-AES128-SHA256'],
  [0xc02f, 'ECDHE-RSA-AES128-GCM-SHA256'],
]);

/**
 * §2.4.1 <SSL_version> → protocol range. SSL 3.0 (0) is not in OpenSSL 3: null. "All" (4) is
 * every version the module has — TLS 1.0 to 1.2; the FC41D has no TLS 1.3 (docs/ssl-service.md).
 */
export const SSL_VERSIONS: Readonly<Record<SslVersion, { min: tls.SecureVersion; max: tls.SecureVersion } | null>> = {
  0: null,
  1: { min: 'TLSv1', max: 'TLSv1' },
  2: { min: 'TLSv1.1', max: 'TLSv1.1' },
  3: { min: 'TLSv1.2', max: 'TLSv1.2' },
  4: { min: 'TLSv1', max: 'TLSv1.2' },
};

/**
 * OpenSSL 3's default security level 1 forbids the SHA-1/MD5 handshake signatures TLS 1.0 and
 * 1.1 need; level 0 lets them through (as the module's own stack does).
 */
export const LEGACY_SECLEVEL = '@SECLEVEL=0';

/**
 * Options for a TLS client of context `config` to `serverName` (the host as the module was given
 * it: a name or an IPv4 literal). Refusals: SSL 3.0 → 557; an unknown cipher suite id or a value
 * out of range → 550; verify level 1 without a CA, or 2 without the client certificate and key
 * → 551. Unavailable-but-known cipher suites (RC4) are passed on: `tls.connect` then throws
 * ERR_SSL_NO_CIPHER_MATCH, which the caller reports as a handshake failure (551).
 */
export function tlsOptions(config: SslContextConfig, certs: CertStore, serverName: string): TlsOptionsResult {
  const invalid = (detail: string): TlsOptionsResult => ({ ok: false, result: Result.INVALID_PARAMETER, detail });
  const lacking = (detail: string): TlsOptionsResult => ({ ok: false, result: Result.UNKNOWN_ERROR, detail });

  if (!(config.version in SSL_VERSIONS)) return invalid(`SSL version ${String(config.version)} is not 0-4`);
  const range = SSL_VERSIONS[config.version];
  if (range === null) return { ok: false, result: Result.NOT_SUPPORTED, detail: 'SSL 3.0 is not supported (OpenSSL 3 has no SSLv3)' };
  if (!Number.isInteger(config.negotiateTimeout) || config.negotiateTimeout <= 0)
    return invalid(`negotiate timeout ${String(config.negotiateTimeout)} is not a positive number of seconds`);

  const suites = config.ciphersuites;
  if (suites.length === 0) return invalid('no cipher suite configured');
  const unknown = suites.find((id) => id !== ALL_CIPHER_SUITES && !CIPHER_SUITES.has(id));
  if (unknown !== undefined) return invalid(`unknown cipher suite id ${hex(unknown)}`);
  const all = suites.includes(ALL_CIPHER_SUITES);
  const legacy = range.min !== 'TLSv1.2';
  const list = all ? tls.DEFAULT_CIPHERS : [...new Set(suites.map((id) => CIPHER_SUITES.get(id)!))].join(':');
  const ciphers = legacy ? `${list}:${LEGACY_SECLEVEL}` : list;

  const options: tls.ConnectionOptions = { minVersion: range.min, maxVersion: range.max, ciphers };

  if (config.verify === 0) {
    options.rejectUnauthorized = false;
  } else if (config.verify === 1 || config.verify === 2) {
    const ca = certs.get('CA');
    if (!ca) return lacking(`verify level ${config.verify} needs a CA certificate; none is uploaded (AT+QSSLCERT="CA")`);
    options.ca = ca;
    options.rejectUnauthorized = true;
    // The name the module was given, not what the hosts map resolved it to.
    options.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(serverName, cert);
    if (config.verify === 2) {
      const cert = certs.get('User Cert');
      const key = certs.get('User Key');
      if (!cert || !key) {
        const missing = [cert ? '' : '"User Cert"', key ? '' : '"User Key"'].filter(Boolean).join(', ');
        return lacking(`verify level 2 needs a client certificate and key; missing: ${missing}`);
      }
      options.cert = cert;
      options.key = key;
    }
  } else {
    return invalid(`verify level ${String(config.verify)} is not 0-2`);
  }

  if (config.sni === 1 && hostKind(serverName) === 'name') options.servername = serverName.replace(/\.$/, '');
  return { ok: true, options, timeoutMs: config.negotiateTimeout * 1000 };
}

/**
 * The `sslContext` of a dial network (src/net/dial.ts): context id → `tlsOptions` of that
 * context for `serverName`; a context outside 0–5 is 550.
 */
export function contextTls(contexts: { get(ctx: number): SslContextConfig }, certs: CertStore): (ctx: number, serverName: string) => TlsOptionsResult {
  return (ctx, serverName) =>
    validSslContext(ctx)
      ? tlsOptions(contexts.get(ctx), certs, serverName)
      : { ok: false, result: Result.INVALID_PARAMETER, detail: `SSL context ${ctx} out of range 0-${SSL_CONTEXTS - 1}` };
}

function hex(id: number): string {
  return `0x${id.toString(16).toUpperCase().padStart(4, '0')}`;
}
