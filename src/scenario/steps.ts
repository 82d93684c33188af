/** Runs one step of a scenario: its kind's executor, with its module and timeout. */
import type { StepContext } from './context.ts';
import { DEFAULT_STEP_TIMEOUT_MS, type Step } from './schema.ts';
import { changeWorld, fault, inject, power, send } from './steps-act.ts';
import { expectBackend, expectExit, expectSeen, expectUnseen } from './steps-expect.ts';
import { sleep } from './wait.ts';

export async function runStep(ctx: StepContext, step: Step): Promise<void> {
  const index = step.module ?? 0;
  const module = ctx.modules[index]!;
  const timeout = step.timeout ?? DEFAULT_STEP_TIMEOUT_MS;
  if ('expect-command' in step) return expectSeen(ctx, index, 'commands', step['expect-command'], timeout);
  if ('expect-output' in step) return expectSeen(ctx, index, 'output', step['expect-output'], timeout);
  if ('expect-no-command' in step) return expectUnseen(ctx, index, 'commands', step['expect-no-command'].pattern, step['expect-no-command'].for);
  if ('expect-no-output' in step) return expectUnseen(ctx, index, 'output', step['expect-no-output'].pattern, step['expect-no-output'].for);
  if ('expect-backend' in step) return expectBackend(ctx, step['expect-backend'], timeout);
  if ('expect-exit' in step) return expectExit(ctx, step['expect-exit'], timeout);
  if ('delay' in step) return sleep(step.delay, ctx.signal);
  if ('send' in step) return send(module, step.send);
  if ('inject' in step) return inject(ctx, module, step.inject, timeout);
  if ('world' in step) return changeWorld(ctx, step.world);
  if ('fault' in step) return fault(ctx, step.fault);
  return power(module, step.power);
}
