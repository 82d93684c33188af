/**
 * The system group's service (§2.1.1–2.1.4, 2.1.7–2.1.11): the saved UART settings (echo, URCs,
 * baud rate) and the installed firmware, over the flash's `system` section, and firmware updates
 * over the air. The UART itself reads the settings from the host's `system` state.
 */
import { EventEmitter } from 'node:events';
import { SystemFlash, type SystemSettings } from '../device/flash.ts';
import type { FeatureHost } from '../feature/feature.ts';
import { Saved } from '../feature/saved.ts';
import type { OtaHost, OtaResult } from '../wifi/ota.ts';
import type { World } from '../world/world.ts';

export interface SystemEvents {
  /** The outcome of an AT+QWLANOTA download, with the reason when it failed. */
  ota: [result: OtaResult];
}

export class SystemService extends EventEmitter<SystemEvents> implements OtaHost {
  readonly saved: Saved<SystemSettings>;

  constructor(readonly host: FeatureHost) {
    super();
    this.saved = new Saved(host.section('system', SystemFlash));
    host.onBoot(() => this.saved.revert());
  }

  /** An on/off setting of the UART that takes effect at once and is saved (§2.1.3, §2.1.4). */
  setSwitch(key: 'echo' | 'urc', on: boolean): void {
    this.saved.value[key] = on;
    this.host.system[key] = on;
  }

  get world(): World {
    return this.host.world;
  }

  /** The module's label (faults limited to a module match an OTA download by it). */
  get label(): string {
    return this.host.label;
  }

  hasIp(): boolean {
    return this.host.network.hasIp();
  }

  reportOta(result: OtaResult): void {
    this.emit('ota', result);
  }
}
