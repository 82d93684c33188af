/**
 * The SSL group's service (§2.4): contexts 0–5 (AT+QSSLCFG, back to defaults at every boot), the
 * certificate store (AT+QSSLCERT, in the flash's `ssl` section), and the TCP/IP service, whose
 * socket table and reports SSL clients share (ids 0–11, FIDELITY.md).
 */
import type { FeatureHost } from '../feature/feature.ts';
import { tcpip } from '../tcpip/feature.ts';
import type { TcpipService } from '../tcpip/service.ts';
import { CertStore } from './cert-store.ts';
import { SslContexts } from './contexts.ts';

export class SslService {
  readonly contexts = new SslContexts();
  readonly certs: CertStore;
  readonly sockets: TcpipService;

  constructor(readonly host: FeatureHost) {
    this.certs = new CertStore(host);
    this.sockets = host.use(tcpip);
    host.onBoot(() => this.contexts.reset());
  }
}
