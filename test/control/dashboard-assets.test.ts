// The dashboard's embedded files (src/control/dashboard/): the script parses, the page needs
// nothing but its own files (offline, no CDN) and runs under a `default-src 'self'` CSP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Script } from 'node:vm';
import { DASHBOARD_ASSETS } from '../../src/control/dashboard/assets.ts';

const html = DASHBOARD_ASSETS['/']!.body;
const js = DASHBOARD_ASSETS['/dashboard.js']!.body;

describe('dashboard assets', () => {
  test('the files, each with its content type', () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(DASHBOARD_ASSETS).map(([path, asset]) => [path, asset.type.split(';')[0]])),
      { '/': 'text/html', '/dashboard.js': 'text/javascript', '/dashboard.css': 'text/css', '/favicon.svg': 'image/svg+xml' },
    );
  });

  test('the script is valid JavaScript (no stray backtick or ${ from the TS string)', () => {
    assert.doesNotThrow(() => new Script(js, { filename: 'dashboard.js' }));
    assert.ok(js.length > 1000);
  });

  test('the page loads only its own files: no CDN, no inline script or style', () => {
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(refs.sort(), ['/api/trace', '/dashboard.css', '/dashboard.js', '/favicon.svg']);
    for (const ref of refs) assert.ok(ref === '/api/trace' || ref in DASHBOARD_ASSETS, ref);
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'an inline script');
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/, 'inline style or handler');
    assert.doesNotMatch(js + DASHBOARD_ASSETS['/dashboard.css']!.body, /https?:\/\/|url\(/, 'an outside resource');
  });

  test('the script never writes HTML (API values are untrusted)', () => {
    assert.doesNotMatch(js, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  test('data-testid values are unique on the page', () => {
    const ids = [...html.matchAll(/data-testid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.includes('timeline-world') && ids.includes('trace-download'));
  });
});
