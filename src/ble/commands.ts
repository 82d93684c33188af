/**
 * BLE commands, manual §2.2.1–2.2.20 (example 4.2), formats and aliases per FIDELITY.md ("BLE as
 * real modules do it"), plus AT+QBLETRANMODE and AT+QBLEGATTSSRVDONE, which drivers send. Nothing
 * is saved. A command in the wrong role or state, a bad UUID (not 4 or 32 hex digits), bad hex or
 * data longer than the link's MTU − 3 answers ERROR. docs/ble.md has the decisions.
 */
import { declare, param } from '../commands/declare.ts';
import type { CommandSpec } from '../commands/registry.ts';
import { ADV_INTERVAL_MAX, ADV_INTERVAL_MIN, validAdvData } from './advertising.ts';
import type { BleService } from './service.ts';
import { MTU_MAX, MTU_MIN, NAME_MAX_BYTES } from './settings.ts';
import { colonAddress, parseAddress, parseGattData, parseHex, parseUuid } from './values.ts';

type Spec = CommandSpec<BleService>;
const { form } = declare<BleService>();

const uuidParam = <const N extends string>(name: N) => param.str(name, { quoted: false, minLength: 1, maxLength: 64 });
/** GATT data: the rest of the line (commas and all), `<text>` or `<byte count>,<hex>` (values.ts). */
const dataParam = param.str('data', { quoted: false, rest: true, testText: '[<hex_length>,]<data>' });
const advInterval = <const N extends string>(name: N) => param.int(name, { min: ADV_INTERVAL_MIN, max: ADV_INTERVAL_MAX });

const ok = (done: boolean) => (done ? 'OK' : 'ERROR');

/** §2.2.10 and §2.2.17 share the data forms; the UUID must be one of the module's or the peer's. */
function sendData(uuid: string, field: string, send: (uuid: string, data: Buffer) => boolean): string {
  const data = parseGattData(field);
  if (parseUuid(uuid) === null || data === null) return 'ERROR';
  return ok(send(uuid, data));
}

export const bleCommands: Spec[] = [
  {
    // 2.2.1: 0 de-initialises (FIDELITY.md: the manual lists only 1–3); another role needs 0 first.
    name: '+QBLEINIT',
    aliases: ['+QBLEDINIT'],
    section: '2.2.1',
    summary: 'Initialize BLE service',
    write: form([param.int('role', { min: 0, max: 3 })], (_ctx, ble, args) => {
      const role = args.int('role');
      return ok(role === 0 ? ble.deinit() : ble.init(role as 1 | 2 | 3));
    }),
    read: (ctx, ble) => {
      ctx.line(`+QBLEINIT: ${ble.role}`);
      return 'OK';
    },
  },
  {
    // 2.2.2: any time, initialised or not; no space after the colon (example 4.2.1.1).
    name: '+QBLEADDR',
    aliases: ['+QBLEDADDR'],
    section: '2.2.2',
    summary: 'Query BLE device address',
    read: (ctx, ble) => {
      ctx.line(`+QBLEADDR:${colonAddress(ble.address)}`);
      return 'OK';
    },
  },
  {
    // 2.2.3: the heading spells it QBLENANE, example 4.2.1.1 QBLENNAME. Any time; advertising follows.
    name: '+QBLENAME',
    aliases: ['+QBLENANE', '+QBLENNAME'],
    section: '2.2.3',
    summary: 'Set BLE name',
    write: form([param.str('BLE_name', { quoted: false, minLength: 1, maxLength: NAME_MAX_BYTES })], (_ctx, ble, args) => {
      ble.setName(args.str('BLE_name'));
      return 'OK';
    }),
    read: (ctx, ble) => {
      ctx.line(`+QBLENAME: ${ble.settings.name}`);
      return 'OK';
    },
  },
  {
    // 2.2.4: in 0.625 ms slots, decimal (example 4.2.1.1: 150,150); min ≤ max; peripheral roles.
    name: '+QBLEADVPARAM',
    aliases: ['+QBLEQADVPARAM', '+QBLEDADVPARAM'],
    section: '2.2.4',
    summary: 'Configure BLE advertising parameters',
    write: form([advInterval('adv_int_min'), advInterval('adv_int_max')], (_ctx, ble, args) =>
      ok(ble.setAdvInterval(args.int('adv_int_min'), args.int('adv_int_max'))),
    ),
  },
  {
    // 2.2.5: whole AD structures as hex, unquoted, either case (FIDELITY.md); peripheral roles.
    name: '+QBLEADVDATA',
    section: '2.2.5',
    summary: 'Set BLE advertising data',
    write: form([param.str('adv_data', { quoted: false, minLength: 1, maxLength: 62 })], (_ctx, ble, args) => {
      const data = parseHex(args.str('adv_data'));
      if (data === null || !validAdvData(data)) return 'ERROR';
      return ok(ble.setAdvData(data));
    }),
  },
  {
    // 2.2.6: role 2; one service until AT+QBLEINIT=0. A dashed 128-bit UUID is taken without its dashes.
    name: '+QBLEGATTSSRV',
    aliases: ['+QBLEDGATTSSRV'],
    section: '2.2.6',
    summary: 'Establish a BLE service',
    write: form([uuidParam('srv_UUID')], (_ctx, ble, args) => {
      const uuid = parseUuid(args.str('srv_UUID'));
      return ok(uuid !== null && ble.addService(uuid));
    }),
  },
  {
    // Drivers end the table with it (FIDELITY.md); the table needs no ending here.
    name: '+QBLEGATTSSRVDONE',
    section: '2.2',
    summary: 'End the BLE service declaration (no-op)',
    exec: () => 'OK',
  },
  {
    // 2.2.7: read, WRITE and NOTIFY each (FIDELITY.md); a second integer (properties in some firmware) is ignored.
    name: '+QBLEGATTSCHAR',
    aliases: ['+QBLEGATTSCCHAR', '+QBLEDGATTSCCHAR'],
    section: '2.2.7',
    summary: 'Set BLE characteristic UUID',
    write: form([uuidParam('char_UUID'), param.int('char_property', { optional: true, min: 0, max: 0xffff, testText: '(0-65535)' })], (_ctx, ble, args) => {
      const uuid = parseUuid(args.str('char_UUID'));
      return ok(uuid !== null && ble.addCharacteristic(uuid));
    }),
  },
  {
    // 2.2.8: peripheral roles; not while connected.
    name: '+QBLEADVSTART',
    section: '2.2.8',
    summary: 'Start BLE advertising',
    exec: (_ctx, ble) => ok(ble.startAdvertising()),
  },
  {
    name: '+QBLEADVSTOP',
    section: '2.2.9',
    summary: 'Stop BLE advertising',
    exec: (_ctx, ble) => ok(ble.stopAdvertising()),
  },
  {
    // 2.2.10: `<uuid>,<text>` (`\,` a comma) or `<uuid>,<byte count>,<hex>`; roles 2/3, connected.
    name: '+QBLEGATTSNTFY',
    section: '2.2.10',
    summary: 'Send GATT data',
    write: form([uuidParam('UUID'), dataParam], (_ctx, ble, args) => sendData(args.str('UUID'), args.str('data'), (u, d) => ble.notify(u, d))),
  },
  {
    // 2.2.11: 0 stops (OK always); 1 and 2 start (2 with the data, and needs the timeout); central role.
    name: '+QBLESCAN',
    section: '2.2.11',
    summary: 'Start/stop BLE scan',
    write: form([param.int('scan', { values: [0, 1, 2] }), param.int('timeout', { min: 500, max: 10_000, optional: true })], (_ctx, ble, args) => {
      const mode = args.int('scan');
      const timeout = args.optInt('timeout');
      if (mode === 0) {
        ble.stopScan();
        return 'OK';
      }
      if (mode === 2 && timeout === undefined) return 'ERROR';
      return ok(ble.startScan(mode === 2, timeout));
    }),
    read: (ctx, ble) => {
      ctx.line(`+QBLESCAN:${ble.scanOn ? 1 : 0}`);
      return 'OK';
    },
  },
  {
    // 2.2.12: 0x12–0x1000 and 0x11–0x1000 slots, window ≤ interval; central role. Kept, not timed.
    name: '+QBLESCANPARAM',
    section: '2.2.12',
    summary: 'Set BLE scan parameters',
    write: form([param.int('scan_interval', { min: 0x12, max: 0x1000 }), param.int('scan_window', { min: 0x11, max: 0x1000 })], (_ctx, ble, args) => {
      const interval = args.int('scan_interval');
      const window = args.int('scan_window');
      if (ble.role !== 1 || window > interval) return 'ERROR';
      ble.settings.scanInterval = interval;
      ble.settings.scanWindow = window;
      return 'OK';
    }),
  },
  {
    // 2.2.13: OK at once; +QBLEMTU, +QBLESTAT:CONNECTED and +QBLEINFO follow (reports.ts), or
    // +QBLESTAT:DISCONNECTED after 18 s. Colons in the address are accepted.
    name: '+QBLECONN',
    section: '2.2.13',
    summary: 'Connect a peripheral device',
    write: form([param.int('addr_type', { values: [0, 1] }), param.str('peer_addr', { quoted: false, minLength: 12, maxLength: 17 })], (_ctx, ble, args) => {
      const address = parseAddress(args.str('peer_addr'));
      return ok(address !== null && ble.connect(args.int('addr_type') as 0 | 1, address));
    }),
  },
  {
    // 2.2.14: for the next connection; central role.
    name: '+QBLECONNPARAM',
    section: '2.2.14',
    summary: 'Configure connection parameters',
    write: form(
      [param.int('con_interval', { min: 6, max: 3200 }), param.int('timeout', { min: 10, max: 3200 }), param.int('latency', { min: 0, max: 499 })],
      (_ctx, ble, args) => {
        if (ble.role !== 1) return 'ERROR';
        ble.settings.connInterval = args.int('con_interval');
        ble.settings.connTimeout = args.int('timeout');
        ble.settings.connLatency = args.int('latency');
        return 'OK';
      },
    ),
  },
  {
    // 2.2.15: central role; while connected the MTU is exchanged at once (+QBLEMTU:<n>, example 4.2.3.2).
    name: '+QBLECFGMTU',
    section: '2.2.15',
    summary: 'Configure maximum transmission unit for BLE',
    write: form([param.int('MTU_value', { min: MTU_MIN, max: MTU_MAX })], (_ctx, ble, args) => ok(ble.setMtu(args.int('MTU_value')))),
    read: (ctx, ble) => {
      ctx.line(`+QBLECFGMTU: ${ble.settings.mtu}`);
      return 'OK';
    },
  },
  {
    // 2.2.16: a notifiable characteristic of the peer; central role, connected.
    name: '+QBLEGATTCNTFCFG',
    aliases: ['+QBLEGATTNTFCFG'],
    section: '2.2.16',
    summary: 'Turn on/off notification',
    write: form([uuidParam('UUID'), param.int('enable', { values: [0, 1] })], (_ctx, ble, args) =>
      ok(ble.setNotifications(args.str('UUID'), args.int('enable') === 1)),
    ),
  },
  {
    // 2.2.17: FIDELITY.md's AT+QBLEGATTCWR (the heading's QBLEGATTWR and example 4.2.2.4's
    // QBLEGATTCSR are aliases); a writable characteristic of the peer by UUID, never a handle.
    name: '+QBLEGATTCWR',
    aliases: ['+QBLEGATTWR', '+QBLEGATTCSR'],
    section: '2.2.17',
    summary: 'Send data',
    write: form([uuidParam('UUID'), dataParam], (_ctx, ble, args) => sendData(args.str('UUID'), args.str('data'), (u, d) => ble.write(u, d))),
  },
  {
    // 2.2.18: OK, then the value raw once read (FIDELITY.md).
    name: '+QBLEGATTCRD',
    section: '2.2.18',
    summary: 'Read data',
    write: form([uuidParam('UUID')], (_ctx, ble, args) => ok(ble.read(args.str('UUID')))),
  },
  {
    // 2.2.19: connected (either role) or connecting; both sides then print +QBLESTAT:DISCONNECTED.
    name: '+QBLEDISCONN',
    section: '2.2.19',
    summary: 'Disconnect BLE connection',
    exec: (_ctx, ble) => ok(ble.disconnect()),
  },
  {
    // 2.2.20: no space after the colon (FIDELITY.md).
    name: '+QBLESTAT',
    section: '2.2.20',
    summary: 'Query BLE device state',
    exec: (ctx, ble) => {
      ctx.line(`+QBLESTAT:${ble.state}`);
      return 'OK';
    },
  },
  {
    // BLE transparent mode (FIDELITY.md: firmware A07 and later): OK (drivers wait for it, not
    // CONNECT), then the line carries the link's data until `+++`.
    name: '+QBLETRANMODE',
    section: '2.2',
    summary: 'Enter BLE transparent transmission mode',
    write: form([uuidParam('UUID')], (ctx, ble, args) => {
      const session = ble.openTransparent(args.str('UUID'));
      if (!session) return 'ERROR';
      if (ctx.enterTransparent(session) === 'ERROR') {
        session.stop(); // a line run away from the UART (Wi-Fi configuration over BLE) has no stream to hand over
        return 'ERROR';
      }
      return 'OK';
    }),
  },
];
