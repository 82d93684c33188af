/**
 * Why an HTTP(S) request failed, as Table 3 codes (chapter 5): the SSL context's refusals and
 * dial()'s SocketErrors (Table 2) turned into HttpErrors. The mapping is in docs/http-client.md.
 */
import type { DialNetwork } from '../net/dial.ts';
import { UNTRUSTED } from '../net/tls-client.ts';
import type { TlsSettings } from '../net/types.ts';
import { HttpError, HttpResult, type HttpResultCode, Result, type ResultCode, SocketError } from '../results/index.ts';

/**
 * The TLS settings of SSL context `ctx` for `host`, or why there are none: SSL 3.0 → 5 (not
 * supported); a context or cipher suite out of range → 1; verify level 1 without the CA, or 2
 * without the client certificate and key uploaded → 8 (lack of SSL cert).
 */
export function contextSettings(network: DialNetwork, ctx: number, host: string): TlsSettings {
  if (!network.sslContext) throw new HttpError(HttpResult.NOT_SUPPORTED, 'https asked for, but this network has no SSL contexts');
  const setup = network.sslContext(ctx, host);
  if (setup.ok) return { options: setup.options, timeoutMs: setup.timeoutMs };
  throw new HttpError(REFUSAL[setup.result] ?? HttpResult.UNKNOWN_ERROR, `SSL context ${ctx}: ${setup.detail}`);
}

const REFUSAL: Partial<Record<ResultCode, Exclude<HttpResultCode, 0>>> = {
  [Result.INVALID_PARAMETER]: HttpResult.INVALID_PARAMETER,
  [Result.UNKNOWN_ERROR]: HttpResult.LACK_OF_SSL_CERT,
  [Result.NOT_SUPPORTED]: HttpResult.NOT_SUPPORTED,
};

/**
 * TLS errors that mean a certificate is missing or not accepted, on either side: the server's
 * is not signed by the uploaded CA, has expired or names another host; the server asked for a
 * client certificate the context did not send (handshake_failure, certificate_required) or
 * refused the one it sent. Any other handshake failure (protocol version, cipher suites, a reset,
 * the negotiate timeout) is a socket failure, 4.
 */
const CERTIFICATE_CODES = new Set([
  ...UNTRUSTED,
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_OSSL_X509_KEY_VALUES_MISMATCH',
]);

/** Whether a failure (or one of its causes) is a certificate problem of CERTIFICATE_CODES. */
export function isCertificateProblem(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) return true;
  }
  return false;
}

/**
 * dial()'s failure as Table 3: no address (556) → 7; a bad target (550) → 1; aborted → 2; a
 * certificate problem → 8; DNS, refused, reset, timeouts and other handshake failures → 4.
 */
export function dialFailure(error: unknown, signal: AbortSignal | undefined): HttpError {
  if (error instanceof HttpError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (signal?.aborted) return new HttpError(HttpResult.UNKNOWN_ERROR, `request aborted: ${message}`, { cause: error });
  if (error instanceof SocketError && error.result === Result.NOT_ALLOWED) return new HttpError(HttpResult.NO_NETWORK, message, { cause: error });
  if (error instanceof SocketError && error.result === Result.INVALID_PARAMETER) return new HttpError(HttpResult.INVALID_PARAMETER, message, { cause: error });
  if (isCertificateProblem(error)) return new HttpError(HttpResult.LACK_OF_SSL_CERT, message, { cause: error });
  return new HttpError(HttpResult.SOCKET_FAILURE, message, { cause: error });
}
