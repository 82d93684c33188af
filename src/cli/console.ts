/**
 * `fc41d console`: a person at a terminal (or a script on a pipe) talking to one module.
 * Lines go to the module one at a time, each after the previous one's final result and
 * once the module is up, so piped input is not lost to boot time. `!wake` wakes the
 * module from deep sleep (§2.1.10); `!quit`, EOF or Ctrl-C leaves.
 * After a `> ` prompt the next line is the data itself and is sent without a CR.
 */
import { createInterface } from 'node:readline';
import { formatOutput } from './console-format.ts';
import { buildModules } from './modules.ts';

export interface ConsoleOptions {
  flash?: string;
  world?: string;
}

type Mode = 'command' | 'data' | 'transparent';

export async function runConsole(opts: ConsoleOptions): Promise<void> {
  const [module] = buildModules({ count: 1, flash: opts.flash, world: opts.world }).modules;
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const print = (text: string) => text && process.stdout.write(text);
  const note = (text: string) => print(`(${text})\n`);

  const queue: string[] = [];
  let mode: Mode = 'command';
  let waiting = false; // a command went out and its final result has not come back
  let ended = false;
  let quitting = false;

  // Printed from the output events, which say what each chunk is; the UART sink is unused.
  module.on('output', (bytes, info) => {
    print(formatOutput(bytes, info, colour));
    if (info.kind === 'prompt') {
      mode = 'data';
      waiting = false;
    } else if (info.kind === 'final') {
      // CONNECT hands the line to a connection; its OK (after +++) or NO CARRIER takes it back.
      mode = info.line === 'CONNECT' ? 'transparent' : 'command';
      waiting = false;
    } else return;
    // Not at once: effects that follow the result (AT+QRST, AT+QDEEPSLEEP) come first.
    queueMicrotask(pump);
  });
  module.on('power', (state) => {
    if (state !== 'on') [mode, waiting] = ['command', false];
    pump();
  });
  const wire = module.attach(() => {});

  const rl = createInterface({ input: process.stdin, terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY) });
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
    if (mode === 'data') {
      wire.write(Buffer.from(line, 'utf8'));
      waiting = true; // SEND OK, or the data-mode timeout's result
    } else if (mode === 'transparent') {
      wire.write(Buffer.from(line === '+++' ? line : `${line}\r\n`, 'utf8'));
    } else {
      wire.write(Buffer.from(`${line}\r`, 'utf8'));
      waiting = line.trim() !== ''; // an empty line gets no result
    }
  }

  function quit(): void {
    if (quitting) return;
    quitting = true;
    module.dispose();
    wire.detach();
    rl.close();
    process.stdout.write('', () => process.exit(0));
  }
}
