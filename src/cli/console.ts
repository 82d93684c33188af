/**
 * `fc41d console`: a person at a terminal (or a script on a pipe) talking to one module.
 * Lines go to the module one at a time, each after the previous one's final result and
 * once the module is up, so piped input is not lost to boot time. `!wake` wakes the
 * module from deep sleep (§2.1.10); `!quit`, EOF or Ctrl-C leaves.
 *
 * After a `> ` prompt (AT+QISEND=<id>,<len>, AT+QSSLSEND) the next line typed is the data
 * itself: its bytes without the newline. A line shorter than <len> is sent and the console
 * waits for more (the next line continues the data); a longer one is cut at <len> and the
 * rest is not sent (a note says so) — it would otherwise run as a command.
 * On a terminal, what is typed is shown (and kept below module output that interrupts it).
 */
import { createInterface, clearLine, cursorTo } from 'node:readline';
import { formatOutput } from './console-format.ts';
import { buildModules } from './modules.ts';
import { checkControlOptions, type ControlOptions, startControl } from './control.ts';
import { describeBroker, startWorldBroker } from '../world/broker.ts';
import { describeHttpbin, startWorldHttpbin } from '../world/httpbin.ts';

export interface ConsoleOptions extends ControlOptions {
  flash?: string;
  world?: string;
  trace?: string;
  echo?: boolean;
  /** false (`--no-broker`): no built-in MQTT broker (src/world/broker.ts). */
  broker?: boolean;
  /** false (`--no-httpbin`): no built-in HTTP(S) test service (src/world/httpbin.ts). */
  httpbin?: boolean;
  /** `--ble-config-uuids`: Wi-Fi configuration over BLE's service, write and notify UUIDs. */
  bleConfigUuids?: { service: string; write: string; notify: string };
}

type Mode = 'command' | 'data' | 'transparent';

/** The <len> of a prompting send command (`AT+QISEND=0,5`, `AT+QSSLSEND=1,5`): its last number. */
export function promptedLength(line: string): number | null {
  const last = line.split(';').pop() ?? '';
  const m = /=\s*(?:[^,]*,)*\s*(\d+)\s*$/.exec(last);
  return m ? Number(m[1]) : null;
}

export async function runConsole(opts: ConsoleOptions): Promise<void> {
  checkControlOptions(opts);
  const set = buildModules({
    count: 1,
    flash: opts.flash,
    world: opts.world,
    trace: opts.trace,
    echo: opts.echo,
    bleConfigUuids: opts.bleConfigUuids,
    keepTrace: opts.control !== undefined,
  });
  const [module] = set.modules;
  // Before the module powers up; its lines go to stderr, stdout is the module's.
  const broker = opts.broker === false ? null : await startWorldBroker(set.world);
  const httpbin = opts.httpbin === false ? null : await startWorldHttpbin(set.world);
  const control = await startControl(set, opts);
  const lines = [...describeBroker(broker, opts.broker === false), ...describeHttpbin(httpbin, opts.httpbin === false)];
  if (control) lines.push(`control ${control.url}`);
  for (const line of lines) process.stderr.write(`fc41d: ${line}\n`);
  const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

  const queue: string[] = [];
  let mode: Mode = 'command';
  let waiting = false; // a command went out and its final result has not come back
  let lastCommand = '';
  /** Data bytes the module still takes after `> `; null when the command's <len> is unknown. */
  let dataLeft: number | null = null;
  let ended = false;
  let quitting = false;

  // A reader that went away (`fc41d console | head`) ends the console, quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });

  const rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty });
  rl.setPrompt('');

  /** Writes module output; on a terminal, above what the person is typing, which is redrawn. */
  const print = (text: string) => {
    if (!text || quitting) return;
    if (!tty) {
      process.stdout.write(text);
      return;
    }
    clearLine(process.stdout, 0);
    cursorTo(process.stdout, 0);
    process.stdout.write(text);
    if (text.endsWith('\n')) rl.prompt(true);
  };
  const note = (text: string) => print(`(${text})\n`);

  // Printed from the output events, which say what each chunk is; the UART sink is unused.
  module.on('output', (bytes, info) => {
    if (info.kind === 'prompt' && info.line === '>') {
      mode = 'data';
      waiting = false;
      dataLeft = promptedLength(lastCommand);
      if (tty) {
        clearLine(process.stdout, 0);
        cursorTo(process.stdout, 0);
        rl.setPrompt('> '); // the data is typed after it, on the same line
        rl.prompt(true);
      } else print('> ');
    } else {
      print(formatOutput(bytes, info, colour));
      if (info.kind === 'prompt') {
        // CONNECT of an upload (AT+QSSLCERT): counted data follows, typed line by line.
        mode = 'data';
        waiting = false;
        dataLeft = null;
      } else if (info.kind !== 'final') return;
      else {
        // CONNECT hands the line to a connection; its OK (after +++) or NO CARRIER takes it back.
        mode = info.line === 'CONNECT' ? 'transparent' : 'command';
        waiting = false;
        if (tty) rl.setPrompt('');
      }
    }
    // Not at once: effects that follow the result (AT+QRST, AT+QDEEPSLEEP) come first.
    queueMicrotask(pump);
  });
  module.on('power', (state) => {
    if (state !== 'on') [mode, waiting] = ['command', false];
    pump();
  });
  const wire = module.attach(() => {});

  rl.on('line', (line) => {
    queue.push(line);
    pump();
  });
  rl.on('close', () => {
    ended = true;
    pump();
  });
  rl.on('SIGINT', () => quit());

  function pump(): void {
    while (!waiting && queue.length > 0 && !quitting) {
      const line = queue[0];
      if (line === '!quit') return quit();
      if (line === '!wake') {
        queue.shift();
        note(module.wake() ? `${module.label} woken` : `${module.label} is not asleep`);
        continue;
      }
      if (module.state === 'booting') return; // `power` calls again once it is on
      queue.shift();
      if (module.state !== 'on') {
        // A sleeping module's UART drops input, as on the real module.
        note(`${module.label} is in deep sleep; !wake wakes it`);
        continue;
      }
      send(line);
    }
    if (ended && queue.length === 0 && !waiting) quit();
  }

  function send(line: string): void {
    if (mode === 'data') return sendData(Buffer.from(line, 'utf8'));
    if (mode === 'transparent') {
      wire.write(Buffer.from(line === '+++' ? line : `${line}\r\n`, 'utf8'));
      return;
    }
    // Before writing: the answer (even `> `) may come back within the write.
    waiting = line.trim() !== ''; // an empty line gets no result
    lastCommand = line;
    wire.write(Buffer.from(`${line}\r`, 'utf8'));
  }

  /** The typed line is data, without its newline; at most what the module still takes. */
  function sendData(bytes: Buffer): void {
    if (dataLeft === null) {
      waiting = true; // SEND OK, or the data-mode timeout's result
      wire.write(bytes);
      return;
    }
    const take = Math.min(bytes.length, dataLeft);
    dataLeft -= take;
    if (bytes.length > take) note(`${bytes.length - take} bytes beyond the length were not sent`);
    else if (dataLeft > 0) note(`${dataLeft} more bytes to send`);
    if (dataLeft === 0) waiting = true; // the module answers once it has them all
    if (take > 0) wire.write(bytes.subarray(0, take));
  }

  function quit(): void {
    if (quitting) return;
    quitting = true;
    wire.detach();
    rl.close();
    const closed = Promise.all([control?.close(), set.close(), broker?.close(), httpbin?.close()]);
    void closed.finally(() => process.stdout.write('', () => process.exit(0)));
  }
}
