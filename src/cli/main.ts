/**
 * The `fc41d` command line. Bad options and unusable files named on the command line
 * give a one-line message on stderr and exit code 2, never a stack trace.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { ConsoleOptions } from './console.ts';
import { MAX_MODULES } from './modules.ts';
import { parseBleConfigUuids, parseHostPort, parseIntIn, parseOnOff, UsageError } from './options.ts';
import type { MakeOtaImageOptions } from './ota-image.ts';
import type { TestOptions } from './test.ts';
import type { FleetCliOptions } from './fleet.ts';
import { serve } from './serve.ts';
import { parseControlAddress } from './control.ts';

const EXIT_USAGE = 2;

/** An option parser whose UsageError becomes commander's "invalid argument" (exit 2). */
const arg =
  <T>(parse: (value: string) => T) =>
  (value: string): T => {
    try {
      return parse(value);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
const hostPort = arg(parseHostPort);
const count = arg((v) => parseIntIn(v, 1, MAX_MODULES));
const port = arg((v) => parseIntIn(v, 0, 65535));
const onOff = arg(parseOnOff);
const controlOption = () =>
  new Option('--control <[host:]port>', 'serve the control API and dashboard on HOST:PORT (default host 127.0.0.1; port 0: any free port; docs/control.md)').argParser(
    arg(parseControlAddress),
  );
const controlTokenOption = () =>
  new Option('--control-token <token>', 'require Authorization: Bearer TOKEN on the control API (needed for a non-loopback --control)');
const echoOption = () =>
  new Option('--echo <on|off>', "start with this echo setting saved in flash (AT+QECHO); default: a fresh flash has echo on, an existing one keeps its own").argParser(
    onOff,
  );

const bleConfigOption = () =>
  new Option(
    '--ble-config-uuids <service,write,notify>',
    'UUIDs of Wi-Fi configuration over BLE (AT+QBLEINIT=3); default ff00,ff01,ff02',
  ).argParser(arg(parseBleConfigUuids));

const brokerOption = () =>
  new Option('--no-broker', 'start no MQTT broker at broker.fc41d.local (by default one runs in-process: ports 1883, and 8883 with TLS)');

const httpbinOption = () =>
  new Option('--no-httpbin', 'start no HTTP test service at httpbin.fc41d.local (by default one runs in-process: ports 80, and 443 with TLS)');

const program = new Command('fc41d')
  .description('A software Quectel FC41D Wi-Fi/BLE module driven by AT commands')
  .exitOverride();

program
  .command('serve')
  .description(
    'run N modules (--count) sharing one simulated world, each reachable over TCP and/or a PTY, until SIGINT/SIGTERM; ' +
      'SIGUSR1 wakes every module in deep sleep',
  )
  .addOption(
    new Option('--tcp <host:port>', 'listen for one host at a time on HOST:PORT; module i on PORT+i (port 0: any free port each)')
      .argParser(hostPort),
  )
  .option('--pty <path>', 'expose the UART as a pseudo-terminal at PATH (a symlink); PATH-i for module i when --count > 1')
  .option('--flash <path>', 'keep saved settings in this file; PATH-i for module i when --count > 1')
  .option('--world <path>', 'the simulated world, a JSON file (docs/world.md; default: the embedded world)')
  .option('--trace <path>', 'append every byte in and out as JSON lines (one file for all modules)')
  .option('--pace', 'pace output at the configured baud rate (AT+QSETBAND)')
  .option('--reset-on-connect', 'every new TCP host power-cycles the module (like DTR wired to reset) and reads a fresh ready')
  .addOption(echoOption())
  .addOption(brokerOption())
  .addOption(httpbinOption())
  .addOption(bleConfigOption())
  .addOption(controlOption())
  .addOption(controlTokenOption())
  .addOption(
    new Option('--count <n>', `how many modules, 1-${MAX_MODULES}, in one world; module i has MAC c8:47:8c:42:00:48 + 2i`)
      .argParser(count)
      .default(1),
  )
  .addOption(
    new Option('--webcfg-port <port>', 'base port of the AT+QWEBCFG pages; module i on PORT+i (0: any free port)')
      .argParser(port)
      .default(0),
  )
  .addOption(new Option('--check <mode>', 'watch each host driver for AT protocol misuse (docs/checker.md): print violations on stderr; strict also exits 4 at shutdown if any').choices(['warn', 'strict']))
  .action(serve);

program
  .command('console')
  .description('talk to a module on this terminal: type AT commands; !wake wakes it, !quit or EOF leaves')
  .option('--flash <path>', 'keep saved settings in this file')
  .option('--world <path>', 'the simulated world, a JSON file (default: the embedded world)')
  .option('--trace <path>', 'append every byte in and out as JSON lines')
  .addOption(echoOption())
  .addOption(brokerOption())
  .addOption(httpbinOption())
  .addOption(bleConfigOption())
  .addOption(controlOption())
  .addOption(controlTokenOption())
  // Loaded when used: `serve`, whose start-up is timed (bench/startup.ts), skips node:readline.
  .action(async (opts: ConsoleOptions) => (await import('./console.ts')).runConsole(opts));

program
  .command('test')
  .description(
    'run scenario files (YAML: a host program, steps, expectations; docs/testing.md) one after another; ' +
      'exit 0 all passed, 1 an expectation failed, 2 invalid scenario, 3 infrastructure error, 4 checker violations under --check strict',
  )
  .argument('<paths...>', 'scenario files, or folders searched for *.yaml and *.yml')
  .option('--junit <file>', 'write a JUnit XML report, with each scenario\'s transcript and trace beside it')
  .option('--json', 'print a JSON summary on stdout')
  .addOption(new Option('--seed <n>', 'the seed of every random choice (default 1)').argParser(arg((v) => parseIntIn(v, 0, 0xffffffff))))
  .addOption(new Option('--net <mode>', 'live: real connections; record: also store them in cassettes; replay: serve them from cassettes, no network (docs/cassettes.md)').choices(['live', 'record', 'replay']).default('live'))
  .addOption(new Option('--check <mode>', 'watch the host driver for AT protocol misuse (docs/checker.md): warn prints violations, strict also fails with exit 4').choices(['warn', 'strict']))
  .option('--coverage <file>', 'merge the AT commands, forms, outcomes and URCs exercised into this JSON file and print what was never touched (docs/coverage.md)')
  // Loaded when used, like `console`: serve's start-up skips the scenario runner and its YAML parser.
  .action(async (paths: string[], opts: TestOptions) => {
    const code = await (await import('./test.ts')).runTest(paths, opts);
    process.exitCode = code;
    // Everything a run starts is closed by the runner; should a stray handle remain, still end.
    setTimeout(() => process.exit(code), 5000).unref();
  });

program
  .command('ctl')
  .description('call the control API of a running `fc41d serve --control` (`fc41d ctl help` lists the verbs); exit 0 ok, 1 refused, 2 usage or no connection')
  .helpOption(false)
  .allowUnknownOption()
  .allowExcessArguments()
  .argument('[args...]')
  .action(async (args: string[]) => {
    const { runCtl, CTL_USAGE } = await import('./ctl.ts');
    if (args[0] === 'help' || args[0] === '--help') {
      process.stdout.write(`${CTL_USAGE}\n`);
      return;
    }
    process.exitCode = await runCtl(args);
  });

// `fleet`: many modules in one process driven by device programs (docs/fleet.md). Loaded when used.
const positive = (max: number) => arg((v) => parseIntIn(v, 1, max));
const seconds = arg((v) => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0 && n <= 1e7)) throw new UsageError(`expected a number of seconds above 0, got ${JSON.stringify(v)}`);
  return n;
});
const fleet = program
  .command('fleet')
  .description(
    'run --devices N modules in this process sharing one world, each driven by a device program (--device FILE exporting run(client, ctx)) ' +
      'or a built-in behaviour (--behaviour telemetry); --shard i/N runs one slice of N (default: $JOB_COMPLETION_INDEX/$FC41D_SHARD_COUNT); docs/fleet.md',
  )
  .addOption(new Option('--devices <n>', 'devices in all shards together; identities (MAC, BLE address, client id, serial) come from the global index').argParser(positive(100_000_000)))
  .option('--shard <i/N>', 'run shard i of N: global indices [i*ceil(devices/N), …); default from JOB_COMPLETION_INDEX and FC41D_SHARD_COUNT')
  .option('--device <file>', 'a JavaScript module exporting async run(client, ctx) (docs/fleet.md)')
  .addOption(new Option('--behaviour <name>', 'a built-in device program: telemetry (join, MQTT connect, subscribe, publish QoS 1 every --interval s, reconnect with back-off)').choices(['telemetry']))
  .option('--ap <ssid:key>', 'the access point the telemetry behaviour joins (default with the embedded world: Office:correct-horse)')
  .option('--broker <host[:port]>', 'the MQTT broker (default port 1883); default: a built-in broker at broker.fc41d.local')
  .addOption(new Option('--interval <s>', 'seconds between telemetry publishes (default 10)').argParser(seconds))
  .addOption(new Option('--duration <s>', 'stop after this many seconds (default: at SIGINT/SIGTERM, or when every device program has returned)').argParser(seconds))
  .addOption(new Option('--ramp <n>', 'start at most N devices per second').argParser(positive(1_000_000)))
  .option('--results <file>', "write the run's figures and every device's identity as JSON (for fc41d fleet merge)")
  .addOption(new Option('--seed <n>', 'the seed of back-off jitter (default 1)').argParser(arg((v) => parseIntIn(v, 0, 0xffffffff))))
  .option('--world <path>', 'the simulated world, a JSON file (default: the embedded world)')
  .addOption(new Option('--heap-growth <percent>', "V8's heap growing percent (1-100): lower keeps the peak memory down at the cost of more GC work (docs/fleet.md)").argParser(positive(100)))
  .option('--target <where>', 'drive one module elsewhere instead: tcp:HOST:PORT (fc41d serve --tcp), a serial device such as /dev/ttyUSB0 (docs/client.md)')
  .addOption(controlOption())
  .addOption(controlTokenOption())
  .action(async (opts: FleetCliOptions) => {
    const code = await (await import('./fleet.ts')).runFleet(opts);
    process.exitCode = code;
    setTimeout(() => process.exit(code), 5000).unref(); // a stray handle must not keep a finished run alive
  });
fleet
  .command('merge')
  .description("sum the shards' --results files; exit 1 if any identity (client id, MAC, BLE address, serial) appears twice")
  .argument('<files...>', 'results files of fc41d fleet --results')
  .option('--out <file>', 'write the merged figures as JSON')
  .action(async (files: string[], opts: { out?: string }) => {
    process.exitCode = (await import('./fleet.ts')).runMerge(files, opts);
  });

program
  .command('ca')
  .description("the test CA of the built-in broker's and HTTP test service's TLS ports (broker.fc41d.local:8883, httpbin.fc41d.local:443), PEM, for AT+QSSLCERT; trusted by nothing else")
  .option('--out <path>', 'write it to this file instead of stdout')
  .action(async (opts: { out?: string }) => (await import('./ca.ts')).printCa(opts));

program
  .command('ota-image')
  .description('write a firmware image for AT+QWLANOTA (see docs/ota.md)')
  .requiredOption('--version <version>', 'the firmware version AT+QVERSION reports after the update, e.g. FC41DAAR03A10')
  .requiredOption('--out <path>', 'write the image to this file')
  .option('--payload <file>', 'the firmware bytes (default: bytes derived from the version)')
  .action(async (opts: MakeOtaImageOptions) => (await import('./ota-image.ts')).makeOtaImage(opts));

// No top-level await: the build bundles this file as CommonJS (scripts/build.mjs).
program.parseAsync().catch((e: unknown) => {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE); // commander printed why
  if (e instanceof UsageError) {
    console.error(`fc41d: ${e.message}`);
    process.exit(EXIT_USAGE);
  }
  throw e;
});
