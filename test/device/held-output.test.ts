/**
 * What the module says while no host is attached: held (bounded) for the next host, counted
 * when it cannot be held, and no host counts as a host that does not read (push-back).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Fc41dModule } from '../../src/device/module.ts';
import { HELD_OUTPUT_BYTES } from '../../src/device/held-output.ts';
import { attachTrace } from '../../src/trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'fc41d-held-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function booted(module: Fc41dModule): Promise<void> {
  while (module.state !== 'on') await new Promise((r) => setTimeout(r, 2));
}

test('no host: output is held up to the bound, the rest is counted in the trace, and the next host reads what was held', async () => {
  const module = new Fc41dModule({ bootMs: 1, echo: false });
  const tracePath = join(dir, 'held.jsonl');
  const trace = attachTrace(module, tracePath);
  const first = module.attach(() => {});
  await booted(module);
  first.detach();
  assert.equal(module.outputBlocked, true, 'no host is a host that does not read');

  const urc = `+QSTASTAT:WLAN_DISCONNECTED${'x'.repeat(70)}`; // 101 bytes framed
  const framed = `\r\n${urc}\r\n`;
  const fit = Math.floor(HELD_OUTPUT_BYTES / framed.length);
  for (let i = 0; i < fit + 10; i++) module.urc(urc);

  const got: Buffer[] = [];
  const changes: unknown[] = [];
  module.on('host', (c) => changes.push(c));
  module.attach((b) => void got.push(b), undefined, { peer: '127.0.0.1:1' });
  assert.equal(Buffer.concat(got).toString('latin1'), framed.repeat(fit), 'whole URCs, oldest first, as many as fit');
  assert.deepEqual(changes, [{ event: 'connected', peer: '127.0.0.1:1', lost: 10 * framed.length }]);
  assert.equal(module.outputBlocked, false);

  await trace.close();
  const events = readFileSync(tracePath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const lost = events.filter((e) => e.dir === 'info' && typeof e.lost === 'number' && e.reason);
  assert.equal(lost.length, 10);
  assert.equal(lost[0].text, framed);
  assert.ok(events.some((e) => e.host === 'connected' && e.peer === '127.0.0.1:1' && e.lost === 10 * framed.length));
  module.dispose();
});

test('a paced module holds output too, and the next host reads it at the line rate', async () => {
  const module = new Fc41dModule({ bootMs: 1, echo: false, paceOutput: true });
  const first = module.attach(() => {});
  await booted(module);
  await new Promise((r) => setTimeout(r, 10)); // ready is on the wire
  first.detach();
  module.urc('+QSTASTAT:WLAN_DISCONNECTED');
  await new Promise((r) => setTimeout(r, 20));
  let text = '';
  module.attach((b) => void (text += b.toString('latin1')));
  module.urc('+QSTASTAT:GOT_IP');
  const expected = '\r\n+QSTASTAT:WLAN_DISCONNECTED\r\n\r\n+QSTASTAT:GOT_IP\r\n';
  // Paced byte by byte: wait for as many bytes as expected, not for a word inside the last line.
  const deadline = Date.now() + 2000;
  while (text.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(text, expected);
  module.dispose();
});

test('powering off forgets what was held: the next host reads only its own boot', async () => {
  const module = new Fc41dModule({ bootMs: 1, echo: false });
  const first = module.attach(() => {});
  await booted(module);
  first.detach();
  module.urc('+QSTASTAT:WLAN_DISCONNECTED');
  module.powerOff();
  let text = '';
  module.attach((b) => void (text += b.toString('latin1')));
  await booted(module);
  assert.equal(text, '\r\nready\r\n');
  module.dispose();
});
