/**
 * A minimal relay in its own process (two sockets piped together): what any program sitting
 * between host and peer costs on this machine, as a second baseline for transparent mode.
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { openSocket } from './setup.ts';

const RELAY = `
const net = require('node:net');
const target = Number(process.argv[1]);
const server = net.createServer((c) => {
  const t = net.connect(target, '127.0.0.1');
  c.setNoDelay(true); t.setNoDelay(true);
  c.pipe(t); t.pipe(c);
  c.on('error', () => {}); t.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** Starts a relay to 127.0.0.1:targetPort; returns the host's socket into it. */
export async function relayTo(targetPort: number): Promise<{ host: Socket; close(): void }> {
  const child = spawn(process.execPath, ['-e', RELAY, String(targetPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));
  const host = await openSocket(port);
  return { host, close: () => (host.destroy(), child.kill()) };
}
