/**
 * `npm run bench`: every benchmark, each printing its figures against a baseline measured in
 * the same run (the machines are noisy, so only ratios mean anything). Not part of the tests.
 */
import { benchAtRoundTrip } from './at-roundtrip.ts';
import { benchFleet } from './fleet.ts';
import { benchHttp } from './http.ts';
import { benchMqtt } from './mqtt.ts';
import { benchPaced } from './paced.ts';
import { benchSocketCommands } from './socket-commands.ts';
import { benchStartup } from './startup.ts';
import { benchTransparent } from './transparent.ts';

await benchStartup();
await benchAtRoundTrip();
await benchTransparent();
await benchSocketCommands();
await benchPaced();
await benchMqtt();
await benchHttp();
await benchFleet();
