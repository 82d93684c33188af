/**
 * Wi-Fi configuration over BLE (AT+QBLEINIT=3, example 4.2.3, FIDELITY.md): what a central writes
 * to the write characteristic is an AT command line (a trailing CR/LF is dropped); the module
 * runs the lines one at a time, as a second UART would, and notifies on the notify characteristic
 * what that UART would show — the echo, the responses and the final result — then the URCs that
 * follow, each as `<line>\r\n`. URCs that come while a line runs wait for its final result, as
 * they do on the UART. Packets are at most mtu − 3 bytes; a full link queue holds the next line
 * back until it drains.
 */
import { background } from '../feature/background.ts';
import type { FeatureHost } from '../feature/feature.ts';
import type { BleLink } from '../world/ble/types.ts';
import { drained, sendInPackets } from './link-data.ts';

export class WifiConfigSession {
  private readonly lines: string[] = [];
  private running = false;
  private stopped = false;
  /** URC lines that came while a command line ran. */
  private held: string[] = [];
  /** False once a notification found the link's queue full: the next line waits for it to drain. */
  private roomLeft = true;
  private readonly unwatch: () => void;

  constructor(
    private readonly host: FeatureHost,
    private readonly link: BleLink,
    private readonly notifyUuid: string,
    /** URCs not to notify (the BLE group's own, about this very link). */
    skipUrc: (line: string) => boolean,
  ) {
    this.unwatch = host.watchUrcs((line) => {
      if (this.stopped || skipUrc(line)) return;
      if (this.running) this.held.push(line);
      else this.send(`${line}\r\n`);
    });
  }

  /** The central wrote to the write characteristic. */
  written(data: Buffer): void {
    if (this.stopped) return;
    const line = data.toString('utf8').replace(/[\r\n]+$/, '');
    if (line.trim() === '') return;
    this.lines.push(line);
    if (!this.running) background(this.host, () => this.run());
  }

  stop(): void {
    this.stopped = true;
    this.lines.length = 0;
    this.held = [];
    this.unwatch();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.lines.length > 0) {
        const line = this.lines.shift()!;
        await this.host.execute(line, (text) => this.send(text));
        this.running = false;
        for (const urc of this.held.splice(0)) this.send(`${urc}\r\n`);
        this.running = true;
        if (!this.roomLeft && this.link.open) await drained(this.link, 'peripheral');
        this.roomLeft = true;
      }
    } finally {
      this.running = false;
    }
  }

  private send(text: string): void {
    if (this.stopped || !this.link.open || text === '') return;
    try {
      if (!sendInPackets(this.link, Buffer.from(text, 'utf8'), (p) => this.link.notify(this.notifyUuid, p))) this.roomLeft = false;
    } catch {
      // The link closed while the command ran: nobody is left to tell.
    }
  }
}
