/**
 * The `fc41d` command line. Bad options and unusable files named on the command line
 * give a one-line message on stderr and exit code 2, never a stack trace.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runConsole } from './console.ts';
import { parseHostPort, UsageError } from './options.ts';
import { serve } from './serve.ts';

const EXIT_USAGE = 2;

const hostPort = (value: string) => {
  try {
    return parseHostPort(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

const program = new Command('fc41d')
  .description('A software Quectel FC41D Wi-Fi/BLE module driven by AT commands')
  .exitOverride();

program
  .command('serve')
  .description('run a module reachable over TCP and/or a PTY until SIGINT/SIGTERM (SIGUSR1 wakes it from deep sleep)')
  .addOption(new Option('--tcp <host:port>', 'listen for one host at a time on HOST:PORT (port 0: any free port)').argParser(hostPort))
  .option('--pty <path>', 'expose the UART as a pseudo-terminal at PATH (a symlink)')
  .option('--flash <path>', 'keep saved settings in this file')
  .option('--world <path>', 'the simulated world, a JSON file')
  .option('--trace <path>', 'append every byte in and out as JSON lines')
  .option('--pace', 'pace output at the configured baud rate (AT+QSETBAND)')
  .action(serve);

program
  .command('console')
  .description('talk to a module on this terminal: type AT commands; !wake wakes it, !quit or EOF leaves')
  .option('--flash <path>', 'keep saved settings in this file')
  .action(runConsole);

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE); // commander printed why
  if (e instanceof UsageError) {
    console.error(`fc41d: ${e.message}`);
    process.exit(EXIT_USAGE);
  }
  throw e;
}
