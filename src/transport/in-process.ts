/**
 * The in-process transport: a byte duplex standing for the host's end of the UART,
 * for Node tests and programs that embed the emulator.
 */
import { Duplex } from 'node:stream';
import type { HostPort } from './host-port.ts';

/** Attaches a host to the port and returns its end of the wire. */
export function openDuplex(port: HostPort): Duplex {
  let attachment: ReturnType<HostPort['attach']> | null = null;
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      attachment?.write(chunk);
      callback();
    },
    destroy(error, callback) {
      attachment?.detach();
      callback(error);
    },
    final(callback) {
      attachment?.detach();
      stream.push(null);
      callback();
    },
  });
  attachment = port.attach((bytes) => stream.push(bytes));
  return stream;
}
