/** The BLE command group (§2.2, §3.2): the module's radio on the world's BLE medium, in roles 1–3. */
import type { Feature } from '../feature/feature.ts';
import { bleCommands } from './commands.ts';
import { isBleUrc, reportBle } from './reports.ts';
import { BleService } from './service.ts';

export const ble: Feature<BleService> = {
  name: 'ble',
  sections: '2.2, 3.2',
  create: (host) => {
    const service = new BleService(host, { ownUrc: isBleUrc });
    reportBle(service, host);
    return service;
  },
  commands: bleCommands,
  dispose: (service) => service.dispose(),
};
