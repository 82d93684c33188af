// A node:test reporter (--test-reporter) for scripts/run-tests.mjs: writes one JSON line per
// finished test — its outcome, its name with its parents', and for a failure the error in full —
// for the runner to count and show. Runs inside the test file's process.
import { inspect } from 'node:util';

/** The failure's own error: node wraps what the test threw in ERR_TEST_FAILURE. */
function describe(error) {
  if (!error) return 'no error given';
  const cause = error.code === 'ERR_TEST_FAILURE' && error.cause !== undefined ? error.cause : error;
  const text = typeof cause === 'string' ? cause : inspect(cause, { depth: 8, colors: false });
  return error.failureType && error.failureType !== 'testCodeFailure' ? `[${error.failureType}] ${text}` : text;
}

export default async function* events(source) {
  const path = [];
  for await (const { type, data } of source) {
    if (type === 'test:start') path[data.nesting] = data.name;
    if (type === 'test:diagnostic' && data.nesting > 0) yield `${JSON.stringify({ kind: 'diagnostic', message: data.message })}\n`;
    if ((type !== 'test:pass' && type !== 'test:fail') || data.details?.type === 'suite') continue;
    const name = [...path.slice(0, data.nesting), data.name].join(' › ');
    const error = data.details?.error;
    const kind =
      type === 'test:fail' ? (error?.failureType === 'cancelledByParent' ? 'cancelled' : 'failed') : data.skip !== undefined ? 'skipped' : data.todo !== undefined ? 'todo' : 'passed';
    const line = { kind, name, line: data.line, ms: data.details?.duration_ms };
    if (type === 'test:fail') line.error = describe(error);
    yield `${JSON.stringify(line)}\n`;
  }
}
