/**
 * The in-process transport: a byte duplex standing for the host's end of the UART,
 * for Node tests and programs that embed the emulator. Flow control is the stream's own:
 * while the module holds input, writes are not acknowledged; while the reader lags,
 * the module is told the host is backed up.
 */
import { Duplex } from 'node:stream';
import type { HostAttachment, HostPort } from './host-port.ts';

/** Attaches a host to the port and returns its end of the wire. */
export function openDuplex(port: HostPort): Duplex {
  let attachment: HostAttachment | null = null;
  let paused = false;
  let held: (() => void) | null = null;
  const stream = new Duplex({
    read() {
      attachment?.drained();
    },
    write(chunk: Buffer, _encoding, callback) {
      attachment?.write(chunk);
      if (paused) held = callback;
      else callback();
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
  attachment = port.attach((bytes) => stream.push(bytes), {
    pause: () => (paused = true),
    resume: () => {
      paused = false;
      const callback = held;
      held = null;
      callback?.();
    },
  });
  return stream;
}
