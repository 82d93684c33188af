/**
 * The TCP/IP group's service (§2.3): the real sockets (src/net/), the AT+QICFG settings, the
 * last result for AT+QIGETERROR, and what the host hears of the sockets (reports.ts). SSL
 * clients share it: one socket table for ids 0–11 (FIDELITY.md).
 */
import { background } from '../feature/background.ts';
import type { FeatureHost } from '../feature/feature.ts';
import { NetSockets } from '../net/socket-service.ts';
import type { SocketService } from '../net/types.ts';
import { Result, type ResultCode } from '../results/index.ts';
import { defaultTcpipConfig, type TcpipConfig } from './config.ts';
import { SocketReports } from './reports.ts';

export class TcpipService {
  readonly net: SocketService;
  readonly reports: SocketReports;
  /** AT+QICFG settings, back to defaults at every boot. */
  config: TcpipConfig = defaultTcpipConfig();
  /** The last socket command's result, for AT+QIGETERROR (§2.3.9). */
  lastResult: ResultCode = Result.OK;

  constructor(readonly host: FeatureHost) {
    this.net = new NetSockets({ world: host.world, hasIp: () => host.network.hasIp(), clock: host.clock, module: host.label });
    this.reports = new SocketReports(this, host);
    // A lost Wi-Fi address closes every socket, as on the real module; a reset drops them silently.
    host.network.on('ip', (ip) => ip === null && background(host, () => this.net.linkLost()));
    host.onBoot(() => {
      this.config = defaultTcpipConfig();
      this.net.setAcceptMode(false);
    });
    host.onReset(() => {
      this.net.closeAll();
      this.reports.reset();
    });
  }
}
