/** `/api/modules`: each module's state, and the hands on it (reset, power, wake, AirKiss). */
import { z } from 'zod';
import { wifi } from '../wifi/feature.ts';
import { conflict } from './api-error.ts';
import { moduleAt } from './context.ts';
import { moduleView } from './module-view.ts';
import { noContent, route } from './route.ts';
import { AirkissBody, ModuleSchema } from './schemas.ts';

export const moduleRoutes = [
  route({
    method: 'GET',
    path: '/api/modules',
    summary: "every module's state",
    status: 200,
    response: z.array(ModuleSchema),
    handle: (ctx) => ({ status: 200, json: ctx.modules.map((m, i) => moduleView(m, i)) }),
  }),
  route({
    method: 'GET',
    path: '/api/modules/{i}',
    summary: "one module's state",
    status: 200,
    response: ModuleSchema,
    handle: (ctx, { params }) => {
      const { module, index } = moduleAt(ctx, params.i!);
      return { status: 200, json: moduleView(module, index) };
    },
  }),
  route({
    method: 'POST',
    path: '/api/modules/{i}/reset',
    summary: 'the reset pin: the module reboots as on AT+QRST (409 while it has no power)',
    status: 204,
    handle: (ctx, { params }) => {
      const { module } = moduleAt(ctx, params.i!);
      if (module.state === 'off') throw conflict(`${module.label} has no power (power-on first)`);
      module.restart();
      return noContent;
    },
  }),
  route({
    method: 'POST',
    path: '/api/modules/{i}/power-cut',
    summary: 'the power goes: output stops at once, RAM is lost, it stays off',
    status: 204,
    handle: (ctx, { params }) => {
      moduleAt(ctx, params.i!).module.powerOff();
      return noContent;
    },
  }),
  route({
    method: 'POST',
    path: '/api/modules/{i}/power-on',
    summary: 'the power comes back: it boots from flash (409 when it has power)',
    status: 204,
    handle: (ctx, { params }) => {
      const { module } = moduleAt(ctx, params.i!);
      if (module.state !== 'off') throw conflict(`${module.label} is ${module.state}, not off`);
      module.powerOn();
      return noContent;
    },
  }),
  route({
    method: 'POST',
    path: '/api/modules/{i}/wake',
    summary: 'the wake-up pin (409 unless in deep sleep)',
    status: 204,
    handle: (ctx, { params }) => {
      const { module } = moduleAt(ctx, params.i!);
      if (!module.wake()) throw conflict(`${module.label} is ${module.state}, not in deep sleep`);
      return noContent;
    },
  }),
  route({
    method: 'POST',
    path: '/api/modules/{i}/airkiss',
    summary: "a phone's AirKiss broadcast (409 unless AT+QAIRKISS=1 waits for one)",
    body: AirkissBody,
    status: 204,
    handle: (ctx, { params, body }) => {
      const { module } = moduleAt(ctx, params.i!);
      if (!module.service(wifi).deliverAirkiss(body.ssid, body.key)) throw conflict(`${module.label} is not waiting for AirKiss (AT+QAIRKISS=1)`);
      return noContent;
    },
  }),
];
