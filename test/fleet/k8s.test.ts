/** deploy/k8s/fleet-job.yaml holds together: an Indexed Job whose shard count matches, and a broker Service. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';

test('the Indexed Job: completions = parallelism = FC41D_SHARD_COUNT = the N of --shard, and the mosquitto Service it names', () => {
  const docs = parseAllDocuments(readFileSync(new URL('../../deploy/k8s/fleet-job.yaml', import.meta.url), 'utf8')).map((d) => d.toJS()).filter(Boolean);
  const job = docs.find((d) => d.kind === 'Job');
  const service = docs.find((d) => d.kind === 'Service');
  assert.ok(docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'mosquitto'));
  assert.equal(job.spec.completionMode, 'Indexed');
  const n = job.spec.completions;
  assert.equal(job.spec.parallelism, n);
  const container = job.spec.template.spec.containers[0];
  assert.equal(container.env.find((e: { name: string }) => e.name === 'FC41D_SHARD_COUNT').value, String(n));
  assert.ok(container.args.includes(`--shard=$(JOB_COMPLETION_INDEX)/${n}`));
  const broker = container.args.find((a: string) => a.startsWith('--broker='));
  assert.equal(broker, `--broker=${service.metadata.name}:${service.spec.ports[0].port}`);
  assert.ok(container.args.includes('fleet'));
});
