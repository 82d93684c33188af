/**
 * A peripheral's GATT table as a real stack builds it, and the values it serves.
 *
 * Layout (docs/ble-medium.md): the GATT service 1801 with Service Changed 2a05 (indicate), then
 * the GAP service 1800 with Device Name 2a00, Appearance 2a01 and Central Address Resolution
 * 2aa6 (read), then the peripheral's own services in order. A service declaration takes one
 * handle; a characteristic takes its declaration, its value and, when it can notify or indicate,
 * its client configuration descriptor (CCCD). `handle` is the value handle. So 2a05 is 3, 2a00
 * is 7, 2a01 9, 2aa6 11, and the first own service is declared at 12.
 */
import { normaliseUuid } from './ids.ts';
import type { GattCharacteristic, GattProperties, GattServiceDef } from './types.ts';

const NONE: GattProperties = { read: false, write: false, writeNoResponse: false, notify: false, indicate: false };
const READ: GattProperties = { ...NONE, read: true };

/** The services every stack has, before the peripheral's own. */
function builtIn(name: string): GattServiceDef[] {
  return [
    { uuid: '1801', characteristics: [{ uuid: '2a05', properties: { ...NONE, indicate: true } }] },
    {
      uuid: '1800',
      characteristics: [
        { uuid: '2a00', properties: READ, value: Buffer.from(name, 'utf8') },
        { uuid: '2a01', properties: READ, value: Buffer.from([0, 0]) }, // appearance: unknown
        { uuid: '2aa6', properties: READ, value: Buffer.from([0]) }, // no address resolution
      ],
    },
  ];
}

/** The built table and the stored values (what reads see when the peripheral does not answer). */
export class GattServer {
  readonly table: readonly GattCharacteristic[];
  private readonly values = new Map<string, Buffer>();

  constructor(services: GattServiceDef[], name: string) {
    const table: GattCharacteristic[] = [];
    let handle = 0;
    for (const service of [...builtIn(name), ...services]) {
      const serviceUuid = uuidOf(service.uuid);
      handle += 1; // service declaration
      for (const c of service.characteristics) {
        const uuid = uuidOf(c.uuid);
        handle += 2; // characteristic declaration, value
        table.push({ serviceUuid, uuid, handle, properties: { ...c.properties } });
        if (c.properties.notify || c.properties.indicate) handle += 1; // CCCD
        if (!this.values.has(uuid)) this.values.set(uuid, Buffer.from(c.value ?? []));
      }
    }
    this.table = table;
  }

  /** The first characteristic with this UUID (any spelling normaliseUuid takes). */
  find(uuid: string): GattCharacteristic | undefined {
    const norm = normaliseUuid(uuid);
    return norm === undefined ? undefined : this.table.find((c) => c.uuid === norm);
  }

  value(uuid: string): Buffer {
    return this.values.get(uuid) ?? Buffer.alloc(0);
  }

  store(uuid: string, data: Buffer): void {
    this.values.set(uuid, Buffer.from(data));
  }
}

function uuidOf(input: string): string {
  const uuid = normaliseUuid(input);
  if (uuid === undefined) throw new Error(`not a GATT UUID: ${input}`);
  return uuid;
}
