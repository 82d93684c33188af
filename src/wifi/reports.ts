/** What the host hears of the Wi-Fi service by itself: `+QSTASTAT:<event>` (§3.1.1, FIDELITY.md: no space). */
import type { FeatureHost } from '../feature/feature.ts';
import type { WifiService } from './service.ts';

export function reportWifi(wifi: WifiService, host: FeatureHost): void {
  wifi.station.on('status', (event) => host.urc(`+QSTASTAT:${event}`));
}
