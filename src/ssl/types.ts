/**
 * The SSL service's contract (manual §2.4, §3.4): SSL contexts 0–5 (AT+QSSLCFG, not saved),
 * the certificate store (AT+QSSLCERT, saved in flash), and TLS client sockets that share the
 * socket ids 0–11 with TCP/UDP (src/net/). MQTT and HTTPS reuse `tlsOptions`.
 * The decisions behind the mapping to Node/OpenSSL are in docs/ssl-service.md.
 */
import type { TlsSettings } from '../net/types.ts';
import type { ResultCode } from '../results/index.ts';

// src/ssl/ builds on src/net/ (never the other way round): these live in net/types.ts.
export { SSL_CONTEXTS, type SslOpenRequest, type TlsSettings } from '../net/types.ts';

/** §2.4.1 <SSL_version>: 0 SSL3.0, 1 TLS1.0, 2 TLS1.1, 3 TLS1.2, 4 all. */
export type SslVersion = 0 | 1 | 2 | 3 | 4;
/** §2.4.1 <verify_level>: 0 none, 1 server (CA), 2 both ways (client cert and key too). */
export type VerifyLevel = 0 | 1 | 2;

export interface SslContextConfig {
  version: SslVersion;
  verify: VerifyLevel;
  /** Cipher suite ids (§2.4.1 <cs_id>); [0xffff] = all. */
  ciphersuites: number[];
  /** Handshake timeout, seconds (60–300, default 120). */
  negotiateTimeout: number;
  /** Send SNI (0/1). */
  sni: 0 | 1;
}

/**
 * A change to a context. Values are checked at run time by `SslContexts.set` (out of range →
 * refused), so callers may pass what they parsed without narrowing it first.
 */
export type SslContextPatch = { readonly [K in keyof SslContextConfig]?: SslContextConfig[K] | number | readonly number[] };

export const DEFAULT_SSL_CONTEXT: Readonly<SslContextConfig> = Object.freeze({
  version: 4,
  verify: 0,
  ciphersuites: Object.freeze([0xffff]) as number[],
  negotiateTimeout: 120,
  sni: 0,
});

/** §2.4.1 <negotiate_time> range, seconds. */
export const NEGOTIATE_TIMEOUT_MIN_S = 60;
export const NEGOTIATE_TIMEOUT_MAX_S = 300;

/** §2.4.1 <cs_id> 0xFFFF: every cipher suite. */
export const ALL_CIPHER_SUITES = 0xffff;

/** §2.4.2 <cert_type>. */
export type CertType = 'CA' | 'User Cert' | 'User Key';
export const CERT_TYPES: readonly CertType[] = ['CA', 'User Cert', 'User Key'];

/** What CertStore.put answers: stored, or refused (nothing stored) and why. */
export type CertPutResult = { ok: true } | { ok: false; reason: string };

/** What `tlsOptions` gives: options for tls.connect, or a chapter-5 code saying why not. */
export type TlsOptionsResult = ({ ok: true } & TlsSettings) | { ok: false; result: ResultCode; detail: string };
