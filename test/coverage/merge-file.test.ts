/** Merging coverage across runs, and the coverage file: created, added to, never half written, a corrupt one refused. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type CoverageReport, mergeCoverage, updateCoverageFile } from '../../src/coverage/index.ts';
import { coveredModule } from './rig.ts';

const dir = mkdtempSync(join(tmpdir(), 'fc41d-coverage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const A: CoverageReport = {
  version: 1,
  commands: {
    'AT+QIOPEN': { forms: { write: 2 }, outcomes: { OK: 2, '551': 1 } },
    'AT+FOO': { forms: { exec: 1 }, outcomes: { ERROR: 1 }, unknown: true },
  },
  urcs: { '+QIOPEN': 2, '+QSTASTAT:GOT_IP': 1 },
};
const B: CoverageReport = {
  version: 1,
  commands: {
    'AT+QIOPEN': { forms: { test: 1, write: 1 }, outcomes: { OK: 2, '0': 1 } },
    'AT+QVERSION': { forms: { exec: 3 }, outcomes: { OK: 3 } },
  },
  urcs: { '+QIOPEN': 1, '+QIURC: "recv"': 4 },
};

test('mergeCoverage sums every count, keeps the unknown flag, sorts keys, and changes neither input', () => {
  const before = JSON.stringify([A, B]);
  const merged = mergeCoverage(A, B);
  assert.deepEqual(merged, {
    version: 1,
    commands: {
      'AT+FOO': { forms: { exec: 1 }, outcomes: { ERROR: 1 }, unknown: true },
      'AT+QIOPEN': { forms: { test: 1, write: 3 }, outcomes: { '0': 1, '551': 1, OK: 4 } },
      'AT+QVERSION': { forms: { exec: 3 }, outcomes: { OK: 3 } },
    },
    urcs: { '+QIOPEN': 3, '+QIURC: "recv"': 4, '+QSTASTAT:GOT_IP': 1 },
  });
  assert.equal(JSON.stringify([A, B]), before);
  assert.deepEqual(Object.keys(merged.commands['AT+QIOPEN'].forms), ['test', 'write'], 'forms in =?, ?, =, exec order');
  assert.equal(JSON.stringify(mergeCoverage(A, B)), JSON.stringify(mergeCoverage(B, A)), 'the same bytes whichever comes first');
});

test('updateCoverageFile creates the file, then adds each run to what it holds, leaving no temporary file', async () => {
  const path = join(dir, 'runs', 'coverage.json');
  assert.deepEqual(updateCoverageFile(path, A), mergeCoverage(A, { version: 1, commands: {}, urcs: {} }));
  const second = updateCoverageFile(path, B);
  assert.deepEqual(second, mergeCoverage(A, B));
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), second);

  // A real run on top: its counts are added to the file's.
  const m = await coveredModule();
  try {
    await m.at('AT+QVERSION');
    await m.at('AT+QIOPEN=?');
  } finally {
    m.close();
  }
  const third = updateCoverageFile(path, m.recorder.report());
  assert.deepEqual(third.commands['AT+QVERSION'], { forms: { exec: 4 }, outcomes: { OK: 4 } });
  assert.deepEqual(third.commands['AT+QIOPEN'].forms, { test: 2, write: 3 });
  assert.deepEqual(readdirSync(join(dir, 'runs')), ['coverage.json']);
});

test('a corrupt coverage file is refused with an Error naming it and what is wrong; the file is left as it was', () => {
  const cases: [string, string, RegExp][] = [
    ['not-json.json', '{"version": 1, "commands": {', /is not JSON/],
    ['version.json', JSON.stringify({ version: 2, commands: {}, urcs: {} }), /not a version 1 coverage report: version/],
    ['negative.json', JSON.stringify({ version: 1, commands: { 'AT+X': { forms: { exec: -1 }, outcomes: {} } }, urcs: {} }), /commands\.AT\+X\.forms\.exec/],
    ['stray-key.json', JSON.stringify({ ...A, extra: true }), /not a version 1 coverage report/],
    ['array.json', '[]', /not a version 1 coverage report/],
  ];
  for (const [name, text, why] of cases) {
    const path = join(dir, name);
    writeFileSync(path, text);
    assert.throws(
      () => updateCoverageFile(path, A),
      (error: unknown) => error instanceof Error && error.message.includes(path) && why.test(error.message),
      name,
    );
    assert.equal(readFileSync(path, 'utf8'), text, `${name} untouched`);
  }
});
