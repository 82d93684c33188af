/**
 * The test CA of the default world's broker (broker.ts) and HTTP(S) test service (httpbin.ts): a
 * CA certificate and the server certificates it signed for `broker.fc41d.local` (SAN
 * DNS:broker.fc41d.local) and `httpbin.fc41d.local` (SAN DNS:httpbin.fc41d.local), all valid until
 * 2051, made with the openssl CLI and committed in ./test-ca/ (how: ./test-ca/README.md).
 * Only emulated modules a host told to trust it (AT+QSSLCERT with `fc41d ca`'s output) trust it.
 * Its private keys are public on purpose: it proves nothing but that TLS works end to end.
 */
import { readFileSync } from 'node:fs';

// Literal URLs: the build (scripts/build.mjs) points them from the bundle back into src/.
const CA_CERT = new URL('./test-ca/ca.crt', import.meta.url);
const BROKER_CERT = new URL('./test-ca/broker.crt', import.meta.url);
const BROKER_KEY = new URL('./test-ca/broker.key', import.meta.url);
const HTTPBIN_CERT = new URL('./test-ca/httpbin.crt', import.meta.url);
const HTTPBIN_KEY = new URL('./test-ca/httpbin.key', import.meta.url);

/** The name the broker's certificate is for. */
export const TEST_CA_SERVER_NAME = 'broker.fc41d.local';

/** The CA certificate, PEM: what a host uploads with AT+QSSLCERT to verify the broker. */
export function testCaCertificate(): string {
  return readFileSync(CA_CERT, 'utf8');
}

/** The broker's certificate and key, PEM. */
export function brokerCredentials(): { cert: string; key: string } {
  return { cert: readFileSync(BROKER_CERT, 'utf8'), key: readFileSync(BROKER_KEY, 'utf8') };
}

/** The HTTPS test service's certificate (for httpbin.fc41d.local) and key, PEM. */
export function httpbinCredentials(): { cert: string; key: string } {
  return { cert: readFileSync(HTTPBIN_CERT, 'utf8'), key: readFileSync(HTTPBIN_KEY, 'utf8') };
}
