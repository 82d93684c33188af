/**
 * The expectation steps: something must show up (expect-command, expect-output, expect-backend,
 * expect-exit) within the step's timeout, or must not show up (expect-no-*) for a while. Each
 * waits on events, never by polling, and throws StepFailed with the pattern when it does not hold.
 */
import { backendMatcher, type BackendExpectation, describeExpectation } from './backend.ts';
import { type StepContext, StepFailed } from './context.ts';
import type { Cursor } from './cursor.ts';
import { describeExit, type HostExit } from './host-process.ts';
import { compilePattern } from './pattern.ts';
import { waitFor } from './wait.ts';

/** How much of the unread stream a failure quotes. */
const TAIL = 200;

type Stream = 'commands' | 'output';

function cursorOf(ctx: StepContext, module: number, stream: Stream): Cursor {
  return ctx.streams[module]![stream];
}

const patternFor = (source: string, stream: Stream) => compilePattern(source, { multiline: stream === 'output' });

/** expect-command / expect-output: the pattern after the cursor; the cursor moves past it. */
export async function expectSeen(ctx: StepContext, module: number, stream: Stream, source: string, timeoutMs: number): Promise<void> {
  const cursor = cursorOf(ctx, module, stream);
  const pattern = patternFor(source, stream);
  const found = await waitFor(() => cursor.take(pattern), [(l) => cursor.onChange(l)], timeoutMs, ctx.signal);
  if (found !== null) return;
  const what = stream === 'commands' ? 'command lines' : 'output';
  throw new StepFailed(
    source,
    `pattern ${JSON.stringify(source)} not seen in ${timeoutMs} ms; unread ${what}: ${JSON.stringify(cursor.unreadTail(TAIL))}`,
  );
}

/** expect-no-command / expect-no-output: the pattern must not appear after the cursor for `forMs`. */
export async function expectUnseen(ctx: StepContext, module: number, stream: Stream, source: string, forMs: number): Promise<void> {
  const cursor = cursorOf(ctx, module, stream);
  const pattern = patternFor(source, stream);
  const seen = await waitFor(() => cursor.peek(pattern), [(l) => cursor.onChange(l)], forMs, ctx.signal);
  if (seen === null) return;
  throw new StepFailed(source, `pattern ${JSON.stringify(source)} seen (${JSON.stringify(seen)}), expected none for ${forMs} ms`);
}

/** expect-backend: the broker got such a PUBLISH, or httpbin such a request. */
export async function expectBackend(ctx: StepContext, expectation: BackendExpectation, timeoutMs: number): Promise<void> {
  const matches = backendMatcher(expectation);
  // A replay's log is what the cassette holds: nothing more will come.
  const wait = ctx.backendFixed ? 0 : timeoutMs;
  const found = await waitFor(() => ctx.backend.take(matches), [(l) => ctx.backend.onChange(l)], wait, ctx.signal);
  const described = describeExpectation(expectation);
  if (found === null) {
    const where = ctx.backendFixed ? 'not in the cassette' : `not received in ${timeoutMs} ms`;
    throw new StepFailed(described, `${described}: ${where}; ${ctx.backend.describe()}`);
  }
  ctx.taken.push(found);
}

/** expect-exit: the spawned host exits with this code within the timeout. */
export async function expectExit(ctx: StepContext, code: number, timeoutMs: number): Promise<void> {
  const host = ctx.host;
  if (!host) throw new StepFailed(String(code), 'there is no spawned host');
  const subscribe = (listener: () => void) => {
    let live = true;
    void host.exited.then(() => live && listener());
    return () => void (live = false);
  };
  const exit: HostExit | null = await waitFor(() => host.status, [subscribe], timeoutMs, ctx.signal);
  if (exit === null) throw new StepFailed(String(code), `the host had not exited after ${timeoutMs} ms`);
  if (exit.code !== code) throw new StepFailed(String(code), `the host ${describeExit(exit)}, not ${code}`);
}
