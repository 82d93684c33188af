/**
 * The way out for a group that dials over SSL contexts (MQTT, HTTP): the module's world, IP
 * state, clock and fault set, with TLS options taken from AT+QSSLCFG's contexts and certificates.
 */
import type { FeatureHost } from '../feature/feature.ts';
import type { DialNetwork } from '../net/dial.ts';
import { ssl } from './feature.ts';
import { contextTls } from './tls-options.ts';

export function sslDialNetwork(host: FeatureHost): DialNetwork {
  const tls = host.use(ssl);
  return {
    world: host.world,
    hasIp: () => host.network.hasIp(),
    clock: host.clock,
    sslContext: contextTls(tls.contexts, tls.certs),
    faults: host.world.faults,
    module: host.label,
    net: host.world.net,
  };
}
