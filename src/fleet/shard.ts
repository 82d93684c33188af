/**
 * `--shard i/N`: shard i of N runs the global indices [i·⌈total/N⌉, min(total, (i+1)·⌈total/N⌉)),
 * so N processes (a Kubernetes Indexed Job's pods) cover 0 … total − 1 once each. Without the
 * option it comes from the environment: JOB_COMPLETION_INDEX (set by Kubernetes in an Indexed
 * Job's pods) and FC41D_SHARD_COUNT (set in the manifest, deploy/k8s/fleet-job.yaml).
 */
export interface Shard {
  index: number;
  count: number;
}

export const SHARD_INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const SHARD_COUNT_ENV = 'FC41D_SHARD_COUNT';

/** `2/4` → { index: 2, count: 4 }; throws with a message naming the problem. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  if (!m) throw new Error(`--shard ${text}: expected i/N, e.g. 0/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new Error(`--shard ${text}: N must be at least 1`);
  if (index >= count) throw new Error(`--shard ${text}: i must be below N (0 … ${count - 1})`);
  return { index, count };
}

/** The shard the environment names; undefined (one shard) when JOB_COMPLETION_INDEX is not set. */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  const index = env[SHARD_INDEX_ENV];
  if (index === undefined || index.trim() === '') return undefined;
  const count = env[SHARD_COUNT_ENV];
  if (count === undefined || count.trim() === '') throw new Error(`${SHARD_INDEX_ENV} is set but ${SHARD_COUNT_ENV} is not: set it to the number of shards (the Job's completions)`);
  return parseShard(`${index}/${count}`);
}

/** The global indices [start, end) of one shard of `total` devices (empty for a shard past the end). */
export function shardRange(total: number, shard: Shard = { index: 0, count: 1 }): { start: number; end: number } {
  const per = Math.ceil(total / shard.count);
  const start = Math.min(total, shard.index * per);
  return { start, end: Math.min(total, start + per) };
}
