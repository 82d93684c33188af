/** The Wi-Fi command group (§2.1.5–2.1.6, 2.1.12–2.1.26, §3.1): station, soft-AP, provisioning. */
import type { Feature } from '../feature/feature.ts';
import { wifiCommands } from './commands.ts';
import { reportWifi } from './reports.ts';
import { WifiService } from './service.ts';

export const wifi: Feature<WifiService> = {
  name: 'wifi',
  sections: '2.1.5–2.1.6, 2.1.12–2.1.26, 3.1',
  create: (host) => {
    const service = new WifiService(host, host.options.webcfgPort);
    reportWifi(service, host);
    return service;
  },
  commands: wifiCommands,
  saved: (service) => service.saved,
  dispose: (service) => service.dispose(),
};
