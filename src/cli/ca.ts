/**
 * `fc41d ca [--out FILE]`: the test CA certificate of the built-in broker (src/world/test-ca.ts),
 * PEM, on stdout or into FILE, for a host to upload with AT+QSSLCERT (§2.4) before it opens
 * broker.fc41d.local:8883 with SSL verification on.
 */
import { writeFileSync } from 'node:fs';
import { testCaCertificate } from '../world/test-ca.ts';
import { UsageError } from './options.ts';

export function printCa(opts: { out?: string }): void {
  const pem = testCaCertificate();
  if (opts.out === undefined) {
    process.stdout.write(pem);
    return;
  }
  try {
    writeFileSync(opts.out, pem);
  } catch (e) {
    throw new UsageError(`cannot write ${opts.out}: ${(e as Error).message}`);
  }
}
