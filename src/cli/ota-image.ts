/** `fc41d ota-image`: writes a firmware image for AT+QWLANOTA (manual §2.1.8; format in docs/ota.md). */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildOtaImage, isFirmwareVersion, MAX_VERSION_LENGTH } from '../wifi/ota-image.ts';
import { UsageError } from './options.ts';

export interface MakeOtaImageOptions {
  version: string;
  out: string;
  /** A file whose bytes become the payload; without it, bytes derived from the version. */
  payload?: string;
}

export function makeOtaImage(opts: MakeOtaImageOptions): void {
  if (!isFirmwareVersion(opts.version))
    throw new UsageError(`bad --version ${JSON.stringify(opts.version)}: 1-${MAX_VERSION_LENGTH} printable ASCII characters, no spaces or commas (e.g. FC41DAAR03A10.bin_202501150930)`);
  let payload: Buffer | undefined;
  if (opts.payload !== undefined) {
    try {
      payload = readFileSync(opts.payload);
    } catch (e) {
      throw new UsageError(`payload file ${opts.payload}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const image = buildOtaImage(opts.version, payload);
  try {
    writeFileSync(opts.out, image);
  } catch (e) {
    throw new UsageError(`output file ${opts.out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  console.log(`fc41d: wrote ${opts.out}: firmware ${opts.version}, ${image.length} bytes`);
}
