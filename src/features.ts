/**
 * The command groups every module has, in the order they are made (a group another uses is made
 * first anyway). Adding a group (MQTT, HTTP, BLE): one folder with a `feature.ts`, one line here.
 */
import { ble } from './ble/feature.ts';
import type { Feature } from './feature/feature.ts';
import { http } from './http/feature.ts';
import { mqtt } from './mqtt/feature.ts';
import { ssl } from './ssl/feature.ts';
import { system } from './system/feature.ts';
import { tcpip } from './tcpip/feature.ts';
import { wifi } from './wifi/feature.ts';

export const FEATURES: readonly Feature<any>[] = [system, wifi, tcpip, ssl, mqtt, http, ble];
