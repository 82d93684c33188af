/**
 * Power-up over every wire: a host reads exactly `ready` once the module accepts commands
 * (FIDELITY.md "Framing"), and a host that attaches later reads what the module said while no
 * host was attached — the boot's `ready`, a URC — first (docs/transports.md).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import type { OutputInfo } from '../../src/index.ts';
import { recordingPeer, WIRES, wire } from '../helpers/wires.ts';
import { at, join, officeWorld, start, T, until } from './setup.ts';

const BOOT_MS = 20;

for (const kind of WIRES) {
  describe(`boot over ${kind}`, () => {
    test('the first words are `ready`, after the boot time, and then commands work', async () => {
      const w = await wire(kind, { bootMs: BOOT_MS, echo: false, world: officeWorld() }, { fakeClock: true });
      try {
        const host = await w.connect();
        if (w.clock) {
          // Input before `ready` is lost, as on a wire whose receiver is not running.
          host.send('AT+QWLMAC');
          await w.pause(BOOT_MS - 1);
          assert.equal(host.received, '', 'nothing before the boot time is over');
          await w.pause(1);
        }
        await host.expect('\r\nready\r\n', T);
        assert.equal(host.received, '\r\nready\r\n');
        host.send('AT');
        assert.equal(await host.expect('\r\nOK\r\n', T), '\r\nOK\r\n');
      } finally {
        await w.close();
      }
    });

    test('a host that attaches later reads the `ready` said while none was attached', async () => {
      const w = await wire(kind, { bootMs: BOOT_MS, echo: false, world: officeWorld() }, { fakeClock: true });
      try {
        if (kind !== 'pty') {
          // A port probe: connects (powering the module up) and leaves before `ready`.
          const probe = await w.connect();
          probe.stream.destroy();
          if (kind === 'tcp') await once(w.module, 'host');
        }
        // The PTY bridge attaches at start: the module boots before any host opens the device.
        if (w.clock) await w.pause(BOOT_MS);
        await until(() => w.module.state === 'on', 'the module to boot');
        await new Promise((r) => setTimeout(r, 20)); // `ready` has gone out, to nobody
        const host = await w.connect();
        assert.equal(await host.expect('\r\nready\r\n', T), '\r\nready\r\n');
        host.send('AT');
        assert.equal(await host.expect('\r\nOK\r\n', T), '\r\nOK\r\n');
      } finally {
        await w.close();
      }
    });

    test('a URC raised while no host is attached is read first by the next host', async () => {
      const peer = await recordingPeer();
      const w = await start(kind, { world: officeWorld({ 'peer.test': '127.0.0.1' }) });
      try {
        await join(w);
        assert.deepEqual(await at(w, `AT+QIOPEN=0,"TCP","peer.test",${peer.port},0,0`), ['OK']);
        await w.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
        await until(() => peer.sockets.length === 1, 'the peer to accept');
        const gone = kind === 'tcp' ? once(w.module, 'host') : Promise.resolve();
        w.host.stream.destroy();
        await gone;
        const said = new Promise<void>((resolve) =>
          w.module.on('output', (_bytes: Buffer, info: OutputInfo) => {
            if (info.line === '+QIURC: "closed",0') resolve();
          }),
        );
        peer.sockets[0].destroy();
        await said;
        const next = await w.connect();
        assert.equal(await next.expect('\r\n+QIURC: "closed",0\r\n', T), '\r\n+QIURC: "closed",0\r\n');
        next.send('AT');
        assert.equal(await next.expect('\r\nOK\r\n', T), '\r\nOK\r\n');
      } finally {
        await w.close();
        await peer.close();
      }
    });
  });
}
