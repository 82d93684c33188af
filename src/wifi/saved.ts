/** The Wi-Fi section of the flash: what §2.1.15, 2.1.23 and 2.1.26 save. */
import { z } from 'zod';

export const WifiFlash = z.object({
  /** AT+QSTAAPINFODEF (or provisioning): the AP the module joins at boot. */
  sta: z.object({ ssid: z.string(), key: z.string().optional() }).nullable().default(null),
  /** AT+QSTADHCPDEF. */
  dhcp: z.boolean().default(true),
  /** AT+QWEBCFG. */
  webcfg: z.boolean().default(false),
});

export type WifiSaved = z.infer<typeof WifiFlash>;
