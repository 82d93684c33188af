/** Fails a test on any unhandled rejection or uncaught exception while `run` runs (and shortly after). */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

export async function noProcessErrors(run: () => Promise<void>, lateMs = 100): Promise<void> {
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  try {
    await run();
    await sleep(lateMs); // let late rejections surface
  } finally {
    process.off('unhandledRejection', onError);
    process.off('uncaughtException', onError);
  }
  assert.deepEqual(errors, [], 'no unhandled rejection or uncaught exception');
}
