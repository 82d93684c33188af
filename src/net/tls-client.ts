/**
 * dial()'s TLS stage (AT+QSSLOPEN, OTA over https, …) over a TCP connection that is already up:
 * `tls.connect({ socket, ...options })`, bounded by the context's negotiation timeout (§2.4.1).
 * A failure is described for `lastDetail`/traces by what went wrong (untrusted certificate,
 * host name mismatch, expiry, a client certificate the server wants, protocol version, …).
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { Clock } from '../clock.ts';
import { describeError, errorCode } from './link.ts';

export interface SecureOptions {
  /** The connected TCP socket; destroyed on failure. */
  socket: net.Socket;
  options: tls.ConnectionOptions;
  timeoutMs: number;
  clock: Clock;
  /** For details: where to. */
  target: string;
}

/** `cause`: the TLS or socket error (an alert, a verification code); none for a timeout or a cancel. */
export type SecureOutcome = { ok: true; socket: tls.TLSSocket } | { ok: false; detail: string; cause?: unknown };

export interface Securing {
  readonly outcome: Promise<SecureOutcome>;
  /** Abandons the handshake (both sockets are destroyed); the outcome is a failure. */
  cancel(reason: string): void;
}

export function secureTcp(options: SecureOptions): Securing {
  const { socket: raw, target } = options;
  let settle: (outcome: SecureOutcome) => void = () => {};
  const outcome = new Promise<SecureOutcome>((resolve) => (settle = resolve));
  let done = false;
  let secure: tls.TLSSocket | null = null;

  const finish = (result: SecureOutcome): void => {
    if (done) return;
    done = true;
    options.clock.clearTimeout(timer);
    if (secure) {
      secure.removeListener('secureConnect', onSecure);
      secure.removeListener('error', onError);
      secure.removeListener('close', onClose);
      // Until the link takes the socket over (or after a failure), an error must not go unhandled.
      secure.on('error', () => {});
      if (!result.ok) secure.destroy();
    }
    if (!result.ok) raw.destroy();
    settle(result);
  };
  const onSecure = (): void => finish({ ok: true, socket: secure! });
  const onError = (error: unknown): void => finish({ ok: false, detail: `${describeTlsError(error)} (${target})`, cause: error });
  const onClose = (): void => finish({ ok: false, detail: `TLS handshake failed: the connection closed during the handshake (${target})` });

  const timer = options.clock.setTimeout(
    () => finish({ ok: false, detail: `TLS handshake failed: negotiation timeout after ${options.timeoutMs} ms (${target})` }),
    options.timeoutMs,
  );
  try {
    secure = tls.connect({ ...options.options, socket: raw });
    secure.once('secureConnect', onSecure);
    secure.on('error', onError);
    secure.once('close', onClose);
  } catch (error) {
    // Refused before a byte went out: no usable cipher suite (RC4 only), a key that does not
    // match the certificate, … — to the host, a handshake that failed.
    finish({ ok: false, detail: `${describeTlsError(error)} (${target})`, cause: error });
  }
  return { outcome, cancel: (reason) => finish({ ok: false, detail: reason }) };
}

/** Certificate verification failures: the chain does not lead to the uploaded CA (HTTP's 8 builds on it). */
export const UNTRUSTED: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

const PROTOCOL = new Set([
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
]);

const CLIENT_CERT_REFUSED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
]);

/** Why a TLS handshake failed, in words a trace reader can act on; always starts "TLS handshake failed: ". */
export function describeTlsError(error: unknown): string {
  const code = errorCode(error) ?? '';
  const why = ((): string => {
    if (code === 'CERT_HAS_EXPIRED') return 'the server certificate has expired (CERT_HAS_EXPIRED)';
    if (code === 'CERT_NOT_YET_VALID') return 'the server certificate is not yet valid (CERT_NOT_YET_VALID)';
    if (UNTRUSTED.has(code)) return `the server certificate is not signed by the uploaded CA (unknown CA: ${code})`;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `host name mismatch: ${errorMessage(error)}`;
    if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE')
      return (
        'the server sent a handshake_failure alert: it requires a client certificate that was not sent ' +
        '(verify level 2 sends one), or shares no cipher suite (ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE)'
      );
    if (CLIENT_CERT_REFUSED.has(code)) return `the server refused the client certificate (${code})`;
    if (PROTOCOL.has(code)) return `no protocol version in common with the server (${code})`;
    if (code === 'ERR_SSL_NO_SHARED_CIPHER' || code === 'ERR_SSL_NO_CIPHERS_AVAILABLE' || code === 'ERR_SSL_NO_CIPHER_MATCH')
      return `no usable cipher suite: OpenSSL 3 has none of the configured ones (RC4 is gone) or the server accepts none (${code})`;
    if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' || /key values mismatch/i.test(errorMessage(error)))
      return `the client key does not match the client certificate (${code || 'key values mismatch'})`;
    if (code === 'ECONNRESET' || code === 'EPIPE') return `the server closed the connection during the handshake (${code})`;
    return describeError(error);
  })();
  return `TLS handshake failed: ${why}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}
