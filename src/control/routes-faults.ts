/**
 * `/api/faults`: the world's FaultSet (src/faults/faults.ts). The API speaks of modules by index,
 * the set by label (`module 0`): converted both ways here. Starting and stopping are traced by
 * the set's own events (faultStarted / faultStopped).
 */
import { z } from 'zod';
import { type Fault, FaultSpecError, type FaultSpecInput } from '../faults/faults.ts';
import { ApiError, notFound } from './api-error.ts';
import { type ControlContext, indexOfLabel, moduleAt } from './context.ts';
import { noContent, route } from './route.ts';
import { FaultBody, FaultView } from './schemas.ts';

/** A fault as the API shows it: `module` as the index. */
export function faultView(ctx: ControlContext, fault: Fault): Record<string, unknown> {
  const { module, ...rest } = fault;
  const index = indexOfLabel(ctx, module);
  return { ...rest, ...(index === undefined ? {} : { module: index }) };
}

export const faultRoutes = [
  route({
    method: 'POST',
    path: '/api/faults',
    summary: 'starts a fault (docs/control.md "Faults"); `module` limits it to one module',
    body: FaultBody,
    status: 201,
    response: FaultView,
    handle: (ctx, { body }) => {
      const { module, ...spec } = body as { module?: number };
      let label: string | undefined;
      if (module !== undefined) {
        try {
          label = moduleAt(ctx, module).module.label;
        } catch {
          throw new ApiError(400, `module: no module ${module}`, 'module');
        }
      }
      let fault: Fault;
      try {
        fault = ctx.world.faults.add({ ...spec, ...(label === undefined ? {} : { module: label }) } as FaultSpecInput);
      } catch (e) {
        if (e instanceof FaultSpecError) throw new ApiError(400, e.message, e.field);
        throw e;
      }
      return { status: 201, json: faultView(ctx, fault) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/faults',
    summary: 'the active faults, with how often each acted (`hits`)',
    status: 200,
    response: z.array(FaultView),
    handle: (ctx) => ({ status: 200, json: ctx.world.faults.list().map((f) => faultView(ctx, f)) }),
  }),
  route({
    method: 'GET',
    path: '/api/faults/{id}',
    summary: 'one active fault',
    status: 200,
    response: FaultView,
    handle: (ctx, { params }) => {
      const fault = ctx.world.faults.get(params.id!);
      if (!fault) throw notFound(`fault ${params.id}`);
      return { status: 200, json: faultView(ctx, fault) };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/faults/{id}',
    summary: 'stops a fault',
    status: 204,
    handle: (ctx, { params }) => {
      if (!ctx.world.faults.remove(params.id!)) throw notFound(`fault ${params.id}`);
      return noContent;
    },
  }),
];
