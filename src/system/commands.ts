/**
 * System commands, manual §2.1.1–2.1.4, 2.1.7–2.1.11 (the Wi-Fi commands of §2.1 are in
 * src/wifi/commands.ts). Formats per FIDELITY.md.
 */
import { declare } from '../commands/declare.ts';
import type { CommandSpec } from '../commands/registry.ts';
import { otaUpdate } from '../wifi/ota.ts';
import type { SystemService } from './service.ts';

/**
 * The rates AT+QSETBAND accepts: any integer in this band, not only the standard rates, since
 * host code uses others (Quectel's own sample sends 1842000; FIDELITY.md). The manual names no
 * range; 1200 is the lowest common UART rate, 4 Mbit/s a ceiling above every rate seen in use.
 */
export const MIN_BAUD = 1200;
export const MAX_BAUD = 4_000_000;

const { form } = declare<SystemService>();

/** `AT+X=<enable>` for an on/off UART setting that is saved. */
const savedSwitch = (key: 'echo' | 'urc') =>
  form([{ name: 'enable', type: 'int', values: [0, 1] }], (_ctx, system, args) => {
    system.setSwitch(key, args.int('enable') === 1);
    return 'OK';
  });

export const systemCommands: CommandSpec<SystemService>[] = [
  {
    // 2.1.1: OK, then drop all connections, forget unsaved settings, and say `ready`.
    name: '+QRST',
    section: '2.1.1',
    summary: 'Restart module',
    exec: (ctx, system) => {
      ctx.afterResponse(() => system.host.power.restart());
      return 'OK';
    },
  },
  {
    // 2.1.2 (format per FIDELITY.md, hardware logs: `+QVERSION:FC41DAAR03A09M02.bin_202406260343`,
    // no space; drivers copy the value from right after the colon)
    name: '+QVERSION',
    section: '2.1.2',
    summary: 'Get firmware version',
    exec: (ctx, system) => {
      ctx.line(`+QVERSION:${system.host.system.firmware}`);
      return 'OK';
    },
  },
  {
    // 2.1.3: saved; echo is on on a module fresh from the factory (FIDELITY.md).
    name: '+QECHO',
    section: '2.1.3',
    summary: 'Enable/disable echo',
    saved: true,
    write: savedSwitch('echo'),
  },
  {
    // ATE0/ATE1 (V.250 6.2.4), accepted by real modules as well as AT+QECHO (FIDELITY.md) and
    // saved like it. `ATE` alone is ATE0, as V.250 takes an omitted value as 0.
    name: 'E',
    section: '2.1.3',
    summary: 'Enable/disable echo (V.250 form)',
    saved: true,
    exec: (_ctx, system) => {
      system.setSwitch('echo', false);
      return 'OK';
    },
    write: savedSwitch('echo'),
  },
  {
    // 2.1.4: saved; 0 silences URCs.
    name: '+QURCCFG',
    section: '2.1.4',
    summary: 'Enable/disable URC report',
    saved: true,
    write: savedSwitch('urc'),
  },
  {
    // 2.1.7: `<save>` omitted means save. OK goes out at the old rate; then the rate changes.
    name: '+QSETBAND',
    section: '2.1.7',
    summary: 'Configure serial port baud rate',
    saved: true,
    write: form(
      [
        { name: 'baud_rate', type: 'int', min: MIN_BAUD, max: MAX_BAUD },
        { name: 'save', type: 'int', values: [0, 1], optional: true, default: 1 },
      ],
      (ctx, system, args) => {
        const baud = args.int('baud_rate');
        system.saved.value.baud = baud; // written only when <save> is 1 (`saves` below)
        ctx.afterResponse(() => (system.host.system.baud = baud));
        return 'OK';
      },
      { saves: (args) => args.int('save') === 1 },
    ),
  },
  {
    // 2.1.8: download and check the image; OK then reboot into it (it is in flash), or ERROR and
    // keep the old one.
    name: '+QWLANOTA',
    section: '2.1.8',
    summary: 'Start OTA',
    saved: true,
    write: form([{ name: 'URL', type: 'string', quoted: false, minLength: 1, maxLength: 512 }], async (ctx, system, args) => {
      const version = await otaUpdate(system, args.str('URL'));
      if (version === null) return 'ERROR';
      system.saved.value.firmware = version;
      ctx.afterResponse(() => system.host.power.restart());
      return 'OK';
    }),
  },
  {
    // 2.1.9: the module keeps answering; the flag shows in the module state until reset.
    name: '+QLOWPOWER',
    section: '2.1.9',
    summary: 'Enter low power mode',
    exec: (_ctx, system) => {
      system.host.system.lowPower = true;
      return 'OK';
    },
  },
  {
    // 2.1.10: OK, then silent until woken through the API or CLI; waking boots (`ready`).
    name: '+QDEEPSLEEP',
    section: '2.1.10',
    summary: 'Enter deep sleep mode',
    exec: (ctx, system) => {
      ctx.afterResponse(() => system.host.power.deepSleep());
      return 'OK';
    },
  },
  {
    // 2.1.11 (default c8:47:8c:42:00:48; no space after the colon, FIDELITY.md)
    name: '+QWLMAC',
    section: '2.1.11',
    summary: 'Get MAC address',
    exec: (ctx, system) => {
      ctx.line(`+QWLMAC:${system.host.mac}`);
      return 'OK';
    },
  },
];
