/** The world `fc41d serve` uses when no `--world` is given: a small office street, and a BLE heart-rate sensor. */
import type { z } from 'zod';
import { parseWorld, type WorldSchema } from './schema.ts';
import { World } from './world.ts';

export const DEFAULT_WORLD: z.input<typeof WorldSchema> = {
  accessPoints: [
    { ssid: 'Office', security: 'WPA2_AES_PSK', password: 'correct-horse', rssi: -48, channel: 6, bssid: 'f0:9b:b8:32:94:b0' },
    { ssid: 'Guest', security: 'OPEN', rssi: -70, channel: 11, bssid: 'f0:9b:b8:32:94:b2', dhcp: { gateway: '10.0.0.1', first: 20, last: 250 } },
    { ssid: 'Lab-5', security: 'WPA2_MIXED_PSK', password: 'lab-password-5', rssi: -62, channel: 1, bssid: 'e0:d4:62:13:93:30', internet: false },
    { ssid: 'Neighbour', security: 'WPA3_SAE', password: 'not-yours-123', rssi: -84, channel: 13, bssid: '90:bd:e6:e3:66:9e' },
  ],
  hosts: {},
  timeScale: 1,
  // Something for a central to find: a heart-rate sensor notifying once a second (docs/world.md).
  ble: {
    peers: [
      {
        name: 'HRM-1',
        address: 'd0:12:34:56:78:9a',
        rssi: -60,
        services: [
          {
            uuid: '180d',
            characteristics: [
              { uuid: '2a37', properties: ['read', 'notify'], value: { hex: '0048' }, notify: { everyMs: 1000, values: ['0048', '0049', '004a', '004b'] } },
              { uuid: '2a38', properties: ['read'], value: { hex: '01' } },
            ],
          },
        ],
      },
    ],
  },
};

/** A new world built from DEFAULT_WORLD. */
export function defaultWorld(): World {
  return new World(parseWorld(DEFAULT_WORLD, 'default world'));
}
