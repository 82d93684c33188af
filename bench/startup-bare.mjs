// bench/startup.ts's baseline: the least a Node process can do to serve TCP, saying so as
// `fc41d serve` does.
import { createServer } from 'node:net';

const server = createServer((socket) => socket.destroy());
server.listen(0, '127.0.0.1', () => console.log(`bare: listening on tcp 127.0.0.1:${server.address().port}`));
