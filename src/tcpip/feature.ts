/** The TCP/UDP command group (§2.3, §3.3): real sockets behind AT+QIOPEN and friends. */
import type { Feature } from '../feature/feature.ts';
import { tcpipCommands } from './commands.ts';
import { TcpipService } from './service.ts';

export const tcpip: Feature<TcpipService> = {
  name: 'tcpip',
  sections: '2.3, 3.3',
  create: (host) => new TcpipService(host),
  commands: tcpipCommands,
};
