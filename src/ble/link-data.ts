/**
 * Data from this module into a link: split into packets of at most mtu − 3 bytes (the medium
 * refuses longer ones), and the wait for the link's queue to drain (push-back, never a drop).
 */
import type { BleLink } from '../world/ble/types.ts';

export type Side = 'central' | 'peripheral';

/** Sends `data` in packets with `send` (a write or a notify); false when the queue is full (all was taken). */
export function sendInPackets(link: BleLink, data: Buffer, send: (packet: Buffer) => boolean): boolean {
  const size = link.mtu - 3;
  let roomLeft = true;
  for (let at = 0; at < data.length; at += size) {
    if (!send(Buffer.from(data.subarray(at, at + size)))) roomLeft = false;
  }
  return roomLeft;
}

/** Resolves once the queue from `side` went below its low-water mark, or the link ended. */
export function drained(link: BleLink, side: Side): Promise<void> {
  return new Promise((resolve) => {
    if (!link.open) return resolve();
    const done = () => {
      link.off('drain', onDrain);
      link.off('closed', done);
      resolve();
    };
    const onDrain = (from: Side) => {
      if (from === side) done();
    };
    link.on('drain', onDrain);
    link.on('closed', done);
  });
}
