/**
 * System commands, manual §2.1.1–2.1.4, 2.1.7, 2.1.9–2.1.11.
 * (The Wi-Fi commands of §2.1 live in wifi.ts.)
 */
import type { Fc41dModule } from '../device/module.ts';
import type { CommandSpec, WriteForm } from './registry.ts';

/**
 * The rates AT+QSETBAND accepts: any integer in this band, not only the standard rates, since
 * host code uses others (Quectel's own sample sends 1842000; FIDELITY.md). The manual names no
 * range; 1200 is the lowest common UART rate, 4 Mbit/s a ceiling above every rate seen in use.
 */
export const MIN_BAUD = 1200;
export const MAX_BAUD = 4_000_000;

/** An on/off setting that takes effect at once and is saved. */
function setSaved(device: Fc41dModule, key: 'echo' | 'urc', on: boolean): string {
  device.flash.update((f) => void (f.system[key] = on));
  device.system[key] = on;
  return 'OK';
}

/** `AT+X=<enable>` for such a setting. */
function savedSwitch(key: 'echo' | 'urc'): WriteForm<Fc41dModule> {
  return {
    params: [{ name: 'enable', type: 'int', values: [0, 1] }],
    handler: (_ctx, device, args) => setSaved(device, key, args.int('enable') === 1),
  };
}

export const systemCommands: CommandSpec<Fc41dModule>[] = [
  {
    // 2.1.1: OK, then drop all connections, forget unsaved settings, and say `ready`.
    name: '+QRST',
    section: '2.1.1',
    summary: 'Restart module',
    exec: (ctx, device) => {
      ctx.afterResponse(() => device.restart());
      return 'OK';
    },
  },
  {
    // 2.1.2 (format per FIDELITY.md, hardware logs: `+QVERSION:FC41DAAR03A09M02.bin_202406260343`,
    // no space; drivers copy the value from right after the colon)
    name: '+QVERSION',
    section: '2.1.2',
    summary: 'Get firmware version',
    exec: (ctx, device) => {
      ctx.line(`+QVERSION:${device.system.firmware}`);
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
    exec: (_ctx, device) => setSaved(device, 'echo', false),
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
    write: {
      params: [
        { name: 'baud_rate', type: 'int', min: MIN_BAUD, max: MAX_BAUD },
        { name: 'save', type: 'int', values: [0, 1], optional: true, default: 1 },
      ],
      handler: (ctx, device, args) => {
        const baud = args.int('baud_rate');
        const save = args.int('save') === 1;
        ctx.afterResponse(() => {
          device.system.baud = baud;
          if (save) device.flash.update((f) => void (f.system.baud = baud));
        });
        return 'OK';
      },
    },
  },
  {
    // 2.1.9: the module keeps answering; the flag shows in the module state until reset.
    name: '+QLOWPOWER',
    section: '2.1.9',
    summary: 'Enter low power mode',
    exec: (_ctx, device) => {
      device.system.lowPower = true;
      return 'OK';
    },
  },
  {
    // 2.1.10: OK, then silent until woken through the API or CLI; waking boots (`ready`).
    name: '+QDEEPSLEEP',
    section: '2.1.10',
    summary: 'Enter deep sleep mode',
    exec: (ctx, device) => {
      ctx.afterResponse(() => device.deepSleep());
      return 'OK';
    },
  },
  {
    // 2.1.11 (default c8:47:8c:42:00:48; no space after the colon, FIDELITY.md)
    name: '+QWLMAC',
    section: '2.1.11',
    summary: 'Get MAC address',
    exec: (ctx, device) => {
      ctx.line(`+QWLMAC:${device.mac}`);
      return 'OK';
    },
  },
];
