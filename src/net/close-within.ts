/**
 * A graceful close with a deadline: `finish` sends what must still go and the FIN; the socket is
 * destroyed after `timeoutMs` at the latest; resolves once it has closed. Sockets and MQTT
 * sessions close this way (AT+QICLOSE's and AT+QMTCLOSE's timeouts).
 */
import type net from 'node:net';
import type { Clock } from '../clock.ts';

export function closeWithin(socket: net.Socket, clock: Clock, timeoutMs: number, finish: () => void): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => socket.destroy(), timeoutMs);
    socket.once('close', () => {
      clock.clearTimeout(timer);
      resolve();
    });
    finish();
  });
}
