// SSL contexts 0–5 (§2.4.1 AT+QSSLCFG): defaults, changes checked against the manual's
// ranges, copies out, reset to defaults (not saved).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSslPatch, SslContexts } from '../../src/ssl/contexts.ts';
import { DEFAULT_SSL_CONTEXT, SSL_CONTEXTS } from '../../src/ssl/types.ts';

describe('SslContexts', () => {
  test('six contexts with the manual defaults: all versions, no verification, all suites, 120 s, no SNI', () => {
    const contexts = new SslContexts();
    assert.equal(SSL_CONTEXTS, 6);
    for (let ctx = 0; ctx < 6; ctx++)
      assert.deepEqual(contexts.get(ctx), { version: 4, verify: 0, ciphersuites: [0xffff], negotiateTimeout: 120, sni: 0 });
    assert.throws(() => contexts.get(6), RangeError);
    assert.throws(() => contexts.get(-1), RangeError);
  });

  test('set changes one context only; get hands out copies', () => {
    const contexts = new SslContexts();
    assert.equal(contexts.set(1, { version: 3, verify: 1, ciphersuites: [0x002f, 0xc02f], negotiateTimeout: 60, sni: 1 }), true);
    assert.deepEqual(contexts.get(1), { version: 3, verify: 1, ciphersuites: [0x002f, 0xc02f], negotiateTimeout: 60, sni: 1 });
    assert.deepEqual(contexts.get(0), { ...DEFAULT_SSL_CONTEXT, ciphersuites: [0xffff] });
    contexts.get(1).ciphersuites.push(1);
    assert.deepEqual(contexts.get(1).ciphersuites, [0x002f, 0xc02f]);
    assert.equal(contexts.set(1, { sni: 0 }), true);
    assert.equal(contexts.get(1).verify, 1, 'other settings stay');
  });

  test('out of range: refused, nothing changes (not even the valid part of the patch)', () => {
    const contexts = new SslContexts();
    for (const patch of [
      { version: 5 },
      { verify: 3 },
      { negotiateTimeout: 59 },
      { negotiateTimeout: 301 },
      { negotiateTimeout: 120.5 },
      { sni: 2 },
      { ciphersuites: [] },
      { ciphersuites: [0x10000] },
      { version: 3, verify: 7 },
    ]) {
      assert.equal(contexts.set(0, patch), false, JSON.stringify(patch));
      assert.ok(checkSslPatch(patch), JSON.stringify(patch));
    }
    assert.equal(contexts.set(6, { version: 3 }), false);
    assert.deepEqual(contexts.get(0), { ...DEFAULT_SSL_CONTEXT, ciphersuites: [0xffff] });
  });

  test('any 16-bit cipher suite id is kept (an unknown one fails the open with 550)', () => {
    const contexts = new SslContexts();
    assert.equal(contexts.set(2, { ciphersuites: [0x1301] }), true);
    assert.deepEqual(contexts.get(2).ciphersuites, [0x1301]);
  });

  test('reset: every context back to the defaults; the defaults themselves never change', () => {
    const contexts = new SslContexts();
    contexts.set(5, { version: 1, ciphersuites: [0x0035] });
    contexts.reset();
    assert.deepEqual(contexts.get(5), { ...DEFAULT_SSL_CONTEXT, ciphersuites: [0xffff] });
    assert.ok(Object.isFrozen(DEFAULT_SSL_CONTEXT));
  });
});
