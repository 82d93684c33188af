// Runs every test/**/*.test.ts (or the files given), each in its own node process, several at
// a time, and prints one line per finished file, the failures in full (with what
// their file printed), and one summary line. Exits 1 when a test failed or a file did not
// finish cleanly.
//
// Why not `node --test`: Node 20 runs one file per core minus one (so one on 2 cores), and its
// reporters see a file's tests only in the order the files were given. Here:
//  - files run several per core: most of their time is spent waiting (sockets, timers, spawned
//    processes), not computing. FC41D_TEST_CONCURRENCY overrides how many run at once;
//  - the slowest files (by the last run's times, kept in TIMES_FILE) start first, so the
//    workers finish together;
//  - the files are compiled once (scripts/test-bundle.mjs) and each runs on bare node, with
//    scripts/test-events.mjs as its node:test reporter, which writes its tests' outcomes to a
//    file this script reads when it exits. FC41D_TEST_TSX=1 runs the .ts files through tsx
//    instead (as does a failed compile, so each file reports its own error);
//  - a file still running after FILE_TIMEOUT_MS (FC41D_TEST_FILE_TIMEOUT_MS) is stopped and
//    fails: usually its tests are done but a handle (server, timer, child) keeps it alive.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleTests } from './test-bundle.mjs';

const TIMES_FILE = 'node_modules/.cache/fc41d-test-times.json';
const FILE_TIMEOUT_MS = Number(process.env.FC41D_TEST_FILE_TIMEOUT_MS) || 120_000;
const reporter = fileURLToPath(new URL('./test-events.mjs', import.meta.url));

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

function readTimes() {
  try {
    return JSON.parse(readFileSync(TIMES_FILE, 'utf8'));
  } catch {
    return {};
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const indent = (text) => text.trimEnd().replace(/^/gm, '    ');

/** Runs one test file (its compiled `script`, or the .ts through tsx); resolves with its tests' outcomes, what it printed, and how it exited. */
function runFile(file, script, outDir, index) {
  const events = join(outDir, `${index}.jsonl`);
  const started = performance.now();
  const how = script ? ['--enable-source-maps', script] : ['--import', 'tsx', file];
  const child = spawn(process.execPath, [`--test-reporter=${reporter}`, `--test-reporter-destination=${events}`, ...how], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b) => (output += b));
  child.stderr.on('data', (b) => (output += b));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, FILE_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) output += `\n[run-tests] stopped after ${seconds(FILE_TIMEOUT_MS)}: the file did not exit (tests still running, or a handle left open)\n`;
      let tests = [];
      try {
        tests = readFileSync(events, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch {
        // No reporter output: the file died before node:test started; its output says why.
      }
      resolve({ file, tests, output, code, signal, ms: performance.now() - started });
    });
  });
}

const only = process.argv.slice(2);
const times = readTimes();
// Files without a time yet (new ones) go first, then the slowest.
const slowest = (a, b) => (times[b] ?? Infinity) - (times[a] ?? Infinity) || a.localeCompare(b);
const files = (only.length > 0 ? only : find('test')).sort(slowest);
const concurrency = Number(process.env.FC41D_TEST_CONCURRENCY) || Math.max(2, 2 * availableParallelism());
const outDir = mkdtempSync(join(tmpdir(), 'fc41d-tests-'));
const started = performance.now();

let compiled = { outdir: null, scripts: new Map() };
if (process.env.FC41D_TEST_TSX !== '1') {
  try {
    compiled = await bundleTests(process.cwd(), files);
  } catch (error) {
    process.stdout.write(`test files not compiled (${error.message.split('\n')[0]}); running them through tsx\n`);
  }
}

const totals = { passed: 0, failed: 0, skipped: 0, todo: 0, cancelled: 0 };
const broken = []; // files with a failure, or that did not exit cleanly
const queue = files.map((file, index) => ({ file, index }));

async function worker() {
  for (let next = queue.shift(); next; next = queue.shift()) {
    const result = await runFile(next.file, compiled.scripts.get(next.file), outDir, next.index);
    const counts = { passed: 0, failed: 0, skipped: 0, todo: 0, cancelled: 0 };
    for (const t of result.tests) if (t.kind in counts) counts[t.kind]++;
    for (const kind in counts) totals[kind] += counts[kind];
    // A file that exits non-zero with no failed test (it crashed, or ended with tests pending) fails too.
    const exitedBadly = result.code !== 0 && counts.failed + counts.cancelled === 0;
    if (exitedBadly) totals.failed++;
    if (counts.failed + counts.cancelled > 0 || exitedBadly) broken.push(result);
    times[result.file] = Math.round(result.ms);
    const shown = Object.entries(counts).filter(([kind, n]) => n > 0 || kind === 'passed').map(([kind, n]) => `${n} ${kind}`);
    if (exitedBadly) shown.push(`exited with ${result.signal ?? `code ${result.code}`}`);
    const mark = counts.failed + counts.cancelled > 0 || exitedBadly ? '✖' : '✔';
    process.stdout.write(`${mark} ${result.file}  ${shown.join(', ')}  (${seconds(result.ms)})\n`);
  }
}

await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));

for (const result of broken) {
  process.stdout.write(`\n✖ ${result.file} (exit ${result.signal ?? result.code})\n`);
  for (const t of result.tests) if (t.kind === 'failed' || t.kind === 'cancelled') process.stdout.write(`  ✖ ${t.name} (line ${t.line})\n${indent(t.error)}\n`);
  for (const t of result.tests) if (t.kind === 'diagnostic') process.stdout.write(`  ℹ ${t.message}\n`);
  if (result.output.trim()) process.stdout.write(`  what the file printed:\n${indent(result.output)}\n`);
}

const count = totals.passed + totals.failed + totals.skipped + totals.todo + totals.cancelled;
const parts = [`${totals.passed} passed`, `${totals.failed} failed`, `${totals.skipped} skipped`];
if (totals.todo) parts.push(`${totals.todo} todo`);
if (totals.cancelled) parts.push(`${totals.cancelled} cancelled`);
process.stdout.write(`\n${count} tests: ${parts.join(', ')} in ${seconds(performance.now() - started)} (${files.length} file${files.length === 1 ? '' : 's'}, ${concurrency} at a time)\n`);

rmSync(outDir, { recursive: true, force: true });
if (compiled.outdir) rmSync(compiled.outdir, { recursive: true, force: true });
try {
  mkdirSync(dirname(TIMES_FILE), { recursive: true });
  const kept = Object.fromEntries(Object.entries(times).filter(([file]) => existsSync(file)));
  writeFileSync(TIMES_FILE, `${JSON.stringify(kept, null, 1)}\n`);
} catch {
  // Only an ordering hint for the next run.
}
process.exit(broken.length > 0 ? 1 : 0);
