/** The system command group (§2.1.1–2.1.4, 2.1.7–2.1.11): UART settings, restart, sleep, OTA. */
import type { Feature } from '../feature/feature.ts';
import { systemCommands } from './commands.ts';
import { SystemService } from './service.ts';

export const system: Feature<SystemService> = {
  name: 'system',
  sections: '2.1.1–2.1.4, 2.1.7–2.1.11',
  create: (host) => new SystemService(host),
  commands: systemCommands,
  saved: (service) => service.saved,
};
