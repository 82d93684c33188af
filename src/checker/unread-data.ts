/**
 * Rule unread-data: data the module holds for the host and announced with a URC, never read by
 * the end of the run. Socket data in buffer mode (`+QIURC: "recv",<id>` → AT+QIRD=<id>,<len>;
 * `+QSSLURC: "recv",<id>` → AT+QSSLRECV), MQTT messages in a store (`+QMTRECV: <id>,<store>` →
 * AT+QMTRECV=<id>[,<store>]) and an HTTP body in output mode 0 (`+QHTTPGET: 0,<status>,<length>`
 * → AT+QHTTPREAD; in output mode 1 it streams out as `+QHTTPURC: "recv"` and needs no read).
 */
import { parseLine } from '../at/parse.ts';
import type { Registry } from '../commands/registry.ts';
import type { Report } from './types.ts';

interface Announced {
  urc: string;
  at: number;
  /** What reads it. */
  reader: string;
}

const SOCKET_RECV = /^\+QIURC: "recv",(\d+)$/;
const SSL_RECV = /^\+QSSLURC: "recv",(\d+)$/;
const MQTT_STORED = /^\+QMTRECV: (\d+),(\d+)$/;
const HTTP_RESULT = /^\+QHTTP(?:GET|POST|PUT): 0,\d+,(\d+)$/;
const HTTP_STREAMED = /^\+QHTTP(?:URC: "recv"|READ:)/;

export class UnreadData {
  private readonly announced = new Map<string, Announced>();

  constructor(
    private readonly report: Report,
    private readonly registry: Registry,
  ) {}

  /** A URC went to the host. */
  urc(line: string, at: number): void {
    let m: RegExpExecArray | null;
    if ((m = SOCKET_RECV.exec(line))) this.announce(`socket ${m[1]}`, { urc: line, at, reader: `AT+QIRD=${m[1]},<len>` });
    else if ((m = SSL_RECV.exec(line))) this.announce(`ssl ${m[1]}`, { urc: line, at, reader: `AT+QSSLRECV=${m[1]},<len>` });
    else if ((m = MQTT_STORED.exec(line))) this.announce(`mqtt ${m[1]},${m[2]}`, { urc: line, at, reader: `AT+QMTRECV=${m[1]},${m[2]}` });
    else if ((m = HTTP_RESULT.exec(line))) {
      if (Number(m[1]) > 0) this.announce('http', { urc: line, at, reader: 'AT+QHTTPREAD' });
    } else if (HTTP_STREAMED.test(line)) this.announced.delete('http');
  }

  /** A command line the host sent: reads clear what they read. */
  command(text: string): void {
    const parsed = parseLine(text);
    if (!parsed.ok) return;
    for (const command of parsed.commands) {
      const name = this.registry.lookup(command.name)?.name ?? command.name;
      const args = command.args.map((a) => a.text.trim());
      if (name === '+QHTTPREAD') this.announced.delete('http');
      if (command.form !== 'write') continue;
      // AT+QIRD=<id>,0 asks how much is waiting; it reads nothing.
      if (name === '+QIRD' && args[1] !== '0') this.announced.delete(`socket ${args[0]}`);
      if (name === '+QSSLRECV') this.announced.delete(`ssl ${args[0]}`);
      if (name === '+QMTRECV') {
        for (const key of [...this.announced.keys()]) {
          if (args.length < 2 ? key.startsWith(`mqtt ${args[0]},`) : key === `mqtt ${args[0]},${args[1]}`) this.announced.delete(key);
        }
      }
    }
  }

  /** Power-off or reset: what the module held is gone. */
  reset(): void {
    this.announced.clear();
  }

  /** The end of the run: everything still announced and unread. */
  finish(): void {
    for (const a of this.announced.values()) {
      this.report('unread-data', a.at, a.urc, `announced data was never read (${a.reader}): it stays in the module's buffer until the connection closes or the buffer fills`);
    }
    this.announced.clear();
  }

  private announce(key: string, a: Announced): void {
    if (!this.announced.has(key)) this.announced.set(key, a); // the first announcement says since when
  }
}
