/**
 * AT+QWLANOTA (§2.1.8) behind the command: needs a station address, then downloads and
 * checks the image (ota-download.ts), through the HTTP client (src/http/client.ts) and dial().
 * Returns the new firmware version, or null when the old firmware stays; the reason goes to
 * `reportOta` (the module's `ota` event) for traces.
 */
import type { World } from '../world/world.ts';
import { downloadOtaImage, OTA_DOWNLOAD_TIMEOUT_MS, OTA_MAX_IMAGE_BYTES } from './ota-download.ts';

/** What an update needs of the module: the world (hosts map, clock), the network state, and where outcomes go. */
export interface OtaHost {
  readonly world: Pick<World, 'resolveHost' | 'clock'> & Partial<Pick<World, 'faults' | 'net'>>;
  /** The module's label, for faults limited to one module. */
  readonly label?: string;
  hasIp(): boolean;
  reportOta(result: OtaResult): void;
}

export type OtaResult = { ok: true; version: string } | { ok: false; reason: string };

export async function otaUpdate(wifi: OtaHost, url: string): Promise<string | null> {
  if (!wifi.hasIp()) {
    wifi.reportOta({ ok: false, reason: 'no network' });
    return null;
  }
  const result = await downloadOtaImage(url, {
    timeoutMs: OTA_DOWNLOAD_TIMEOUT_MS,
    maxBytes: OTA_MAX_IMAGE_BYTES,
    network: {
      world: wifi.world,
      hasIp: () => wifi.hasIp(),
      clock: wifi.world.clock,
      ...(wifi.world.faults ? { faults: wifi.world.faults } : {}),
      ...(wifi.world.net ? { net: wifi.world.net } : {}),
      ...(wifi.label === undefined ? {} : { module: wifi.label }),
    },
  });
  wifi.reportOta(result.ok ? { ok: true, version: result.version } : result);
  return result.ok ? result.version : null;
}
