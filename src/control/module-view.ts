/** A module's state for `GET /api/modules`, read from its feature services (nothing changes). */
import { ble } from '../ble/feature.ts';
import type { Fc41dModule } from '../device/module.ts';
import { MQTT_CLIENTS } from '../mqtt/service.ts';
import { mqtt } from '../mqtt/feature.ts';
import { tcpip } from '../tcpip/feature.ts';
import { wifi } from '../wifi/feature.ts';
import type { ModuleView } from './schemas.ts';

/** §2.3.3's socket states by number. */
const SOCKET_STATES = ['initial', 'opening', 'connected', 'listening', 'closing'];

export function moduleView(module: Fc41dModule, index: number): ModuleView {
  const w = module.service(wifi);
  const b = module.service(ble);
  const m = module.service(mqtt);
  const station = w.station;
  const mqttClients: ModuleView['mqtt'] = [];
  for (let id = 0; id < MQTT_CLIENTS; id++) {
    const session = m.session(id);
    if (!session) continue;
    const server = session.server;
    mqttClients.push({ id, state: session.state, ...(server ? { server: `${server.host}:${server.port}` } : {}) });
  }
  return {
    index,
    label: module.label,
    power: module.state,
    wifi: {
      state: station.state,
      ...(station.ssid === null ? {} : { ssid: station.ssid }),
      ...(station.ip ? { ip: station.ip.ip } : {}),
    },
    ble: { role: b.role, state: b.state, address: b.address },
    sockets: module.service(tcpip).net.list().map((s) => ({
      id: s.id,
      type: s.type,
      state: SOCKET_STATES[s.state] ?? String(s.state),
      ...(s.remote ? { remote: `${s.remote.address}:${s.remote.port}` } : {}),
    })),
    mqtt: mqttClients,
    webcfg: w.webConfigUrl,
  };
}
