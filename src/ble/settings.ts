/**
 * The BLE settings in RAM (§2.2: none is saved; every boot starts from these defaults), with the
 * manual's ranges and units.
 */
import { ADV_INTERVAL_DEFAULT } from './advertising.ts';

/** §2.2.3 default name (FIDELITY.md: the module advertises as `FC41D` until told otherwise). */
export const DEFAULT_NAME = 'FC41D';
export const NAME_MAX_BYTES = 25;
/** §2.2.15: the MTU a central asks for; range 23–512. */
export const DEFAULT_MTU = 250;
export const MTU_MIN = 23;
export const MTU_MAX = 512;
/** The MTU the module offers as a peripheral (example 4.2.3.2 negotiates 512 with a module in role 3). */
export const PERIPHERAL_MTU = 512;
/** §2.2.13: "The connection timeout is 18 seconds" (radio time: scaled by the world's timeScale). */
export const CONNECT_TIMEOUT_MS = 18_000;
/** §2.2.12 unit, and §2.2.14's two units. */
export const SCAN_SLOT_MS = 0.625;
export const CONN_INTERVAL_UNIT_MS = 1.25;
export const SUPERVISION_UNIT_MS = 10;

export interface BleSettings {
  name: string;
  /** §2.2.4, in 0.625 ms slots. */
  advIntervalMin: number;
  advIntervalMax: number;
  /** §2.2.5: the host's AD structures; null: flags and the name. */
  advData: Buffer | null;
  /** §2.2.12, in 0.625 ms slots. */
  scanInterval: number;
  scanWindow: number;
  /** §2.2.14: interval in 1.25 ms units, supervision timeout in 10 ms units, latency in events. */
  connInterval: number;
  connTimeout: number;
  connLatency: number;
  /** §2.2.15. */
  mtu: number;
}

export function defaultBleSettings(): BleSettings {
  return {
    name: DEFAULT_NAME,
    advIntervalMin: ADV_INTERVAL_DEFAULT,
    advIntervalMax: ADV_INTERVAL_DEFAULT,
    advData: null,
    scanInterval: 0x0064,
    scanWindow: 0x001e,
    connInterval: 30,
    connTimeout: 500,
    connLatency: 0,
    mtu: DEFAULT_MTU,
  };
}

/** Wi-Fi configuration over BLE (role 3): its service and characteristics (FIDELITY.md: ff00, ff01, ff02). */
export interface ConfigUuids {
  service: string;
  write: string;
  notify: string;
}

export const DEFAULT_CONFIG_UUIDS: ConfigUuids = { service: 'ff00', write: 'ff01', notify: 'ff02' };
