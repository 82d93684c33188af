/**
 * System commands, manual §2.1.1–2.1.4, 2.1.7, 2.1.9–2.1.11.
 * (The Wi-Fi commands of §2.1 live in wifi.ts.)
 */
import type { Fc41dModule } from '../device/module.ts';
import type { CommandSpec, WriteForm } from './registry.ts';

/** Baud rates AT+QSETBAND accepts; the manual names none, these are the UART's standard ones. */
export const BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1000000, 1500000, 2000000] as const;

/** `AT+X=<enable>` for an on/off setting that takes effect at once and is saved. */
function savedSwitch(key: 'echo' | 'urc'): WriteForm<Fc41dModule> {
  return {
    params: [{ name: 'enable', type: 'int', values: [0, 1] }],
    handler: (_ctx, device, args) => {
      const on = args.int('enable') === 1;
      device.flash.update((f) => void (f.system[key] = on));
      device.system[key] = on;
      return 'OK';
    },
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
    // 2.1.2 (format per FIDELITY.md: `+QVERSION: FC41DAAR03A09`)
    name: '+QVERSION',
    section: '2.1.2',
    summary: 'Get firmware version',
    exec: (ctx, device) => {
      ctx.line(`+QVERSION: ${device.system.firmware}`);
      return 'OK';
    },
  },
  {
    // 2.1.3: saved; echo is off on a new module (FIDELITY.md).
    name: '+QECHO',
    section: '2.1.3',
    summary: 'Enable/disable echo',
    saved: true,
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
        { name: 'baud_rate', type: 'int', values: BAUD_RATES },
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
    // 2.1.11 (default c8:47:8c:42:00:48)
    name: '+QWLMAC',
    section: '2.1.11',
    summary: 'Get MAC address',
    exec: (ctx, device) => {
      ctx.line(`+QWLMAC: ${device.mac}`);
      return 'OK';
    },
  },
];
