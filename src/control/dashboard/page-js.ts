/**
 * The dashboard's script (`/dashboard.js`): plain browser JavaScript, no framework, no build
 * step. Its parts (script-*.ts, one job each) share one function scope, in this order; each is
 * a String.raw literal, so none holds a backtick or a dollar-brace.
 *
 * It reads the control API (docs/control.md): `/api/modules`, `/api/world`, `/api/faults`,
 * the trace so far (`/api/trace`) and then `/api/live`, and drives it with the same calls a
 * script would make. A `?token=` in the page's URL is sent as `Authorization: Bearer` (and on
 * the WebSocket as `?token=`). Everything from the API reaches the page through `textContent`
 * or attributes, never as HTML: SSIDs, peer names and module output are not trusted.
 */
import { SCRIPT_API } from './script-api.ts';
import { SCRIPT_FAULTS } from './script-faults.ts';
import { SCRIPT_LIVE } from './script-live.ts';
import { SCRIPT_MODULES } from './script-modules.ts';
import { SCRIPT_RECORDS } from './script-records.ts';
import { SCRIPT_WORLD } from './script-world.ts';

export const DASHBOARD_JS = [
  "'use strict';\n(function () {",
  SCRIPT_API,
  SCRIPT_RECORDS,
  SCRIPT_MODULES,
  SCRIPT_WORLD,
  SCRIPT_FAULTS,
  SCRIPT_LIVE,
  '})();\n',
].join('\n');
