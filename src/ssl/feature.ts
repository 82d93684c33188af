/** The SSL command group (§2.4, §3.4): TLS client sockets, contexts and certificates. */
import type { Feature } from '../feature/feature.ts';
import { sslCommands } from './commands.ts';
import { SslService } from './service.ts';

export const ssl: Feature<SslService> = {
  name: 'ssl',
  sections: '2.4, 3.4',
  create: (host) => new SslService(host),
  commands: sslCommands,
  saved: (service) => service.certs,
};
