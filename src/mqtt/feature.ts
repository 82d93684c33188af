/** The MQTT command group (§2.5, §3.5): six MQTT clients on the wire behind AT+QMT…. */
import type { Feature } from '../feature/feature.ts';
import { mqttCommands } from './commands.ts';
import { reportMqtt } from './reports.ts';
import { MqttService } from './service.ts';

export const mqtt: Feature<MqttService> = {
  name: 'mqtt',
  sections: '2.5, 3.5',
  create: (host) => {
    const service = new MqttService(host);
    reportMqtt(service, host);
    return service;
  },
  commands: mqttCommands,
};
