/**
 * AT+QWLANOTA (§2.1.8) behind the command: needs a station address, then downloads and
 * checks the image (ota-download.ts). Returns the new firmware version, or null when the
 * old firmware stays; the reason goes to the module's `ota` event for traces.
 */
import { downloadOtaImage, OTA_DOWNLOAD_TIMEOUT_MS, OTA_MAX_IMAGE_BYTES } from './ota-download.ts';
import type { WifiService } from './service.ts';

export async function otaUpdate(wifi: WifiService, url: string): Promise<string | null> {
  if (!wifi.hasIp()) {
    wifi.reportOta({ ok: false, reason: 'no network' });
    return null;
  }
  const result = await downloadOtaImage(url, {
    timeoutMs: OTA_DOWNLOAD_TIMEOUT_MS,
    maxBytes: OTA_MAX_IMAGE_BYTES,
    resolve: (host) => wifi.world.resolveHost(host)?.address,
  });
  wifi.reportOta(result);
  return result.ok ? result.version : null;
}
