/**
 * The JUnit XML report of `fc41d test`: a <testsuite> per scenario file (named by its path
 * relative to the working directory), a <testcase> per scenario. A failed expectation is a
 * <failure> with the step, the pattern, the elapsed time and the last 2 KB of the transcript;
 * an infrastructure problem is an <error>. <system-out> names the full transcript and trace
 * as Jenkins attachments (`[[ATTACHMENT|path]]`), lists checker violations and ends with the
 * host's output (its last 8 KB).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import type { ScenarioResult } from '../scenario/run.ts';
import type { ScenarioArtifacts } from './artifacts.ts';
import { openTag, xmlText } from './xml.ts';

export const TRANSCRIPT_TAIL_BYTES = 2048;
export const HOST_LOG_TAIL_BYTES = 8192;

export interface JunitCase {
  result: ScenarioResult;
  /** Where the full transcript and trace were written. */
  artifacts?: ScenarioArtifacts;
  /** The checker's violations, already formatted (one line each). */
  violations: string[];
  /** --check strict: violations make a passing scenario a <failure type="checker">. */
  violationsFail: boolean;
}

export interface JunitRun {
  /** Paths in the report are relative to this folder. */
  cwd: string;
  cases: JunitCase[];
  /** Run settings shown as <properties> of every suite (seed, net, check). */
  properties: Record<string, string>;
  timestamp?: Date;
}

/** The last `bytes` bytes of a text (UTF-8), starting at a line when one starts soon enough. */
export function tail(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= bytes) return text;
  let cut = buf.subarray(buf.length - bytes).toString('utf8').replace(/^\uFFFD+/, '');
  const nl = cut.indexOf('\n');
  if (nl >= 0 && nl < 200) cut = cut.slice(nl + 1);
  return `…\n${cut}`;
}

/** A path for the report: relative to cwd when inside it, with `/` separators. */
export function reportPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  const shown = rel === '' || rel.startsWith('..') ? file : rel;
  return shown.split(sep).join('/');
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** The one-line failure message: "steps[3] expect-output: pattern … not seen in 10000 ms". */
export function failureMessage(result: ScenarioResult): string {
  const f = result.failure;
  if (!f) return result.error ?? 'failed';
  return f.message.startsWith(f.step) ? f.message : `${f.step}: ${f.message}`;
}

/** The kind of the failed step ("expect-output" from "steps[3] expect-output"). */
function stepKind(step: string): string {
  return /\]\s*(\S+)/.exec(step)?.[1] ?? 'expectation';
}

function caseBody(c: JunitCase): string {
  const { result } = c;
  const transcriptTail = () => `last ${TRANSCRIPT_TAIL_BYTES / 1024} KB of the transcript:\n${tail(result.transcript, TRANSCRIPT_TAIL_BYTES)}`;
  if (result.outcome === 'error') {
    const message = result.error ?? 'infrastructure error';
    return `${openTag('error', { message, type: 'infrastructure' })}${xmlText(`${message}\n\n${transcriptTail()}`)}</error>`;
  }
  if (result.outcome === 'failed') {
    const f = result.failure;
    const lines = f
      ? [`step: ${f.step}`, `pattern: ${f.pattern}`, `elapsed: ${Math.round(f.elapsedMs)} ms`, f.message]
      : [result.error ?? 'failed'];
    return `${openTag('failure', { message: failureMessage(result), type: f ? stepKind(f.step) : 'expectation' })}${xmlText(
      `${lines.join('\n')}\n\n${transcriptTail()}`,
    )}</failure>`;
  }
  if (c.violationsFail && c.violations.length > 0) {
    const n = c.violations.length;
    const message = `${n} host-driver checker violation${n === 1 ? '' : 's'}: ${c.violations[0]}`;
    return `${openTag('failure', { message, type: 'checker' })}${xmlText(c.violations.join('\n'))}</failure>`;
  }
  return '';
}

function systemOut(c: JunitCase): string {
  const parts: string[] = [];
  if (c.artifacts) parts.push(`[[ATTACHMENT|${c.artifacts.transcript}]]`, `[[ATTACHMENT|${c.artifacts.trace}]]`);
  if (c.violations.length > 0) parts.push(`checker violations (${c.violations.length}):`, ...c.violations.map((v) => `  ${v}`));
  if (c.result.hostLog) parts.push(`host output:`, tail(c.result.hostLog, HOST_LOG_TAIL_BYTES));
  return parts.length > 0 ? `<system-out>${xmlText(parts.join('\n'))}</system-out>` : '';
}

function isFailure(c: JunitCase): boolean {
  return c.result.outcome === 'failed' || (c.result.outcome === 'passed' && c.violationsFail && c.violations.length > 0);
}

interface Totals {
  tests: number;
  failures: number;
  errors: number;
  ms: number;
}

function totals(cases: JunitCase[]): Totals {
  return {
    tests: cases.length,
    failures: cases.filter(isFailure).length,
    errors: cases.filter((c) => c.result.outcome === 'error').length,
    ms: cases.reduce((sum, c) => sum + c.result.elapsedMs, 0),
  };
}

/** The whole document. */
export function junitXml(run: JunitRun): string {
  const byFile = new Map<string, JunitCase[]>();
  for (const c of run.cases) {
    const list = byFile.get(c.result.file) ?? [];
    list.push(c);
    byFile.set(c.result.file, list);
  }
  const timestamp = (run.timestamp ?? new Date()).toISOString().replace(/\.\d+Z$/, '');
  const all = totals(run.cases);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    openTag('testsuites', { name: 'fc41d test', tests: all.tests, failures: all.failures, errors: all.errors, time: seconds(all.ms) }),
  ];
  const properties = Object.entries(run.properties);
  for (const [file, cases] of byFile) {
    const name = reportPath(run.cwd, file);
    const t = totals(cases);
    out.push(
      `  ${openTag('testsuite', { name, tests: t.tests, failures: t.failures, errors: t.errors, skipped: 0, time: seconds(t.ms), timestamp })}`,
    );
    if (properties.length > 0) {
      out.push('    <properties>');
      for (const [k, v] of properties) out.push(`      ${openTag('property', { name: k, value: v }, true)}`);
      out.push('    </properties>');
    }
    for (const c of cases) {
      const inner = caseBody(c) + systemOut(c);
      const tag = openTag('testcase', { classname: name, name: c.result.name, time: seconds(c.result.elapsedMs) }, inner === '');
      out.push(inner === '' ? `    ${tag}` : `    ${tag}${inner}</testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

/** Writes the report (creating its folder; atomic: a reader never sees half a file). */
export function writeJunit(path: string, run: JunitRun): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, junitXml(run));
  renameSync(tmp, path);
}
