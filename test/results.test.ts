/** Chapter 5 in one place: result codes, their descriptions, and the errors that carry them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  describeFailure,
  HTTP_RESULT_DESCRIPTION,
  HttpError,
  HttpResult,
  RESULT_DESCRIPTION,
  Result,
  resultOf,
  SocketError,
} from '../src/results/index.ts';

const manual = readFileSync(join(import.meta.dirname, '..', '..', 'shared', 'manual', 'FC41D_AT_Commands_Manual_V1.0.txt'), 'utf8');

/** The rows of a chapter-5 table as the manual prints them: `<code>\t<description>`. */
function tableRows(title: string, next: string): Map<number, string> {
  const body = manual.slice(manual.lastIndexOf(title), manual.indexOf(next, manual.lastIndexOf(title)));
  return new Map([...body.matchAll(/^(\d+)\t(.+)$/gm)].map((m) => [Number(m[1]), m[2].trim()]));
}

test('Table 2 and Table 3 codes and descriptions are the manual\'s, row for row', () => {
  const table2 = tableRows('Table 2: TCP/UDP/SSL Result Codes', 'Table 3');
  const table3 = tableRows('Table 3: HTTP(S) Result Codes', '6 Appendix');
  assert.equal(table2.size, 9);
  assert.equal(table3.size, 11);
  assert.deepEqual(new Map(Object.entries(RESULT_DESCRIPTION).map(([k, v]) => [Number(k), v])), table2);
  assert.deepEqual(new Map(Object.entries(HTTP_RESULT_DESCRIPTION).map(([k, v]) => [Number(k), v])), table3);
  assert.deepEqual(Object.values(Result).sort((a, b) => a - b), [...table2.keys()].sort((a, b) => a - b));
  assert.deepEqual(Object.values(HttpResult).sort((a, b) => a - b), [...table3.keys()].sort((a, b) => a - b));
});

test('a SocketError carries a stable code, the description AT+QIGETERROR prints, and its cause', () => {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7'), { code: 'ECONNREFUSED' });
  const error = new SocketError(Result.UNKNOWN_ERROR, 'connect to 127.0.0.1:7 failed', { cause });
  assert.equal(error.code, 'FC41D_SOCKET_UNKNOWN_ERROR');
  assert.equal(error.result, 551);
  assert.equal(error.description, 'Unknown error');
  assert.equal(error.cause, cause);
  assert.equal(error.name, 'SocketError');
  assert.equal(resultOf(error), 551);
  assert.equal(resultOf(new SocketError(Result.NOT_ALLOWED, 'no network')), 556);
  assert.equal(resultOf(new Error('anything else')), 551);
  // The stable code first, then each cause (an errno already in its message is not repeated).
  assert.equal(describeFailure(error), 'FC41D_SOCKET_UNKNOWN_ERROR connect to 127.0.0.1:7 failed: connect ECONNREFUSED 127.0.0.1:7');
});

test('an HttpError carries Table 3\'s row', () => {
  const error = new HttpError(HttpResult.RESPONSE_TIMEOUT, 'no response within 60 s');
  assert.equal(error.code, 'FC41D_HTTP_RESPONSE_TIMEOUT');
  assert.equal(error.result, 9);
  assert.equal(error.description, 'Response timeout');
  assert.ok(!(error instanceof SocketError));
});
