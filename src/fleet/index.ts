/** The fleet runner's public face (docs/fleet.md). */
export { deviceIdentity, serialOf, type DeviceIdentity } from './identity.ts';
export { parseShard, shardFromEnv, shardRange, SHARD_COUNT_ENV, SHARD_INDEX_ENV, type Shard } from './shard.ts';
export { startFleet, sizePools, type FleetOptions, type FleetRun, type FleetSnapshot } from './runner.ts';
export { FleetMetrics, percentile, type DeviceMetrics } from './metrics.ts';
export { resultsOf, ResultsSchema, type FleetResults } from './results.ts';
export { mergeResults, readResults, type MergedResults } from './merge.ts';
export type { DeviceContext, DeviceProgram } from './types.ts';
