/** Every endpoint of the control API, in the order the OpenAPI document lists them. */
import { bleRoutes } from './routes-ble.ts';
import { faultRoutes } from './routes-faults.ts';
import { fleetRoutes } from './routes-fleet.ts';
import { metricsRoutes } from './routes-metrics.ts';
import { moduleRoutes } from './routes-modules.ts';
import { traceRoutes } from './routes-trace.ts';
import { worldRoutes } from './routes-world.ts';
import type { Route } from './route.ts';

export const ROUTES: readonly Route[] = [...moduleRoutes, ...worldRoutes, ...bleRoutes, ...faultRoutes, ...traceRoutes, ...fleetRoutes, ...metricsRoutes];
