/**
 * The `tls-untrusted` fault's man in the middle: the module's TLS handshake meets a self-signed
 * certificate (untrusted-cert.ts) on a local TLS server, so a context that verifies fails as with
 * any untrusted server; one that does not verify gets through, and the middle relays the plain
 * bytes over its own TLS connection (not verifying) to the real server.
 */
import type net from 'node:net';
import tls from 'node:tls';
import { loopbackPair, resetSocket } from './loopback-pair.ts';
import { UNTRUSTED_CERT, UNTRUSTED_KEY } from './untrusted-cert.ts';

/**
 * Puts the middle in front of `upstream` (a connected TCP socket to the real server); resolves to
 * the socket the module's TLS runs over. `serverName`: the SNI to send upstream (a name, not an IP).
 */
export async function untrustedMiddle(upstream: net.Socket, serverName: string | undefined): Promise<net.Socket> {
  const { near, far } = await loopbackPair();
  const front = new tls.TLSSocket(far, { isServer: true, cert: UNTRUSTED_CERT, key: UNTRUSTED_KEY, minVersion: 'TLSv1' });
  let back: tls.TLSSocket | null = null;
  const fail = (): void => {
    // Whatever fails first, the module sees its connection reset and the server's is dropped.
    front.destroy();
    back?.destroy();
    resetSocket(far);
    upstream.destroy();
  };
  front.on('error', fail);
  upstream.on('error', fail);
  upstream.once('close', () => {
    if (!back) fail();
  });
  front.once('secure', () => {
    back = tls.connect({ socket: upstream, rejectUnauthorized: false, ...(serverName ? { servername: serverName } : {}) });
    back.on('error', fail);
    back.once('secureConnect', () => {
      front.pipe(back!);
      back!.pipe(front);
    });
    back.once('close', () => front.destroy());
    front.once('close', () => back?.destroy());
  });
  return near;
}
