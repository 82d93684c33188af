/**
 * TCP/UDP commands, manual §2.3. So far only ATO, which the AT engine's transparent mode needs.
 */
import type { Fc41dModule } from '../device/module.ts';
import type { CommandSpec } from './registry.ts';

export const tcpipCommands: CommandSpec<Fc41dModule>[] = [
  {
    // 2.3.10: resume the last transparent session; NO CARRIER when there is none.
    name: 'O',
    section: '2.3.10',
    summary: 'Enter transparent transmission mode',
    exec: (ctx) => (ctx.resumeTransparent() ? 'CONNECT' : 'NO CARRIER'),
  },
];
