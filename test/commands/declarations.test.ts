/**
 * Declarations drive behaviour: typed arguments (a misspelt parameter name fails the typecheck,
 * which `npm test` runs first), and the `saved` flag (the registry writes a feature's settings
 * after success and takes them back after ERROR; handlers never write flash).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import type { ExecContext } from '../../src/at/engine.ts';
import { parseLine } from '../../src/at/parse.ts';
import { declare, param } from '../../src/commands/declare.ts';
import { validateArgs } from '../../src/commands/params.ts';
import { type CommandSpec, Registry } from '../../src/commands/registry.ts';
import { Flash } from '../../src/device/flash.ts';
import { Saved } from '../../src/feature/saved.ts';

const ctx = { line: () => {}, afterResponse: () => {} } as unknown as ExecContext;

async function run(registry: Registry, line: string): Promise<string> {
  const parsed = parseLine(line);
  assert.ok(parsed.ok, line);
  return registry.execute(parsed.commands[0], ctx);
}

test('arguments are typed from the declaration: misspelt names and wrong kinds fail the typecheck', () => {
  const params = [param.int('socketID', { min: 0, max: 11 }), param.str('host', { quoted: true })] as const;
  const { form } = declare<null>();
  const probe = (check: (args: ReturnType<typeof validated>) => unknown) => check(validated());
  const validated = () => {
    const result = validateArgs(params, [
      { text: '3', quoted: false, empty: false },
      { text: 'example.com', quoted: true, empty: false },
    ]);
    assert.ok(result.ok);
    return result.args;
  };
  assert.equal(probe((args) => args.int('socketID')), 3);
  assert.equal(probe((args) => args.str('host')), 'example.com');
  // @ts-expect-error a misspelt parameter name
  assert.throws(() => probe((args) => args.int('socketId')), /socketId/);
  // @ts-expect-error an integer asked for by a string parameter's name
  assert.throws(() => probe((args) => args.int('host')), /not an integer/);
  // @ts-expect-error a parameter whose name is only `string` would let any name through
  form([{ name: 'wide' as string, type: 'int' }], () => 'OK');
});

const Settings = z.object({ level: z.number().default(1) });

function rig() {
  const flash = Flash.open();
  const section = flash.section('demo', Settings);
  const service = { saved: new Saved(section) };
  const { form } = declare<typeof service>();
  const specs: CommandSpec<typeof service>[] = [
    {
      name: '+DEMO',
      section: '-',
      summary: 'saved setting',
      saved: true,
      write: form(
        [param.int('level', { min: 0, max: 9 }), param.int('save', { values: [0, 1], optional: true, default: 1 })],
        (_ctx, s, args) => {
          s.saved.value.level = args.int('level');
          return args.int('level') === 9 ? 'ERROR' : 'OK';
        },
        { saves: (args) => args.int('save') === 1 },
      ),
    },
  ];
  const registry = new Registry();
  registry.add(specs, service, service.saved);
  return { flash, service, registry };
}

test('a saved command writes its feature\'s settings to flash after success', async () => {
  const { flash, service, registry } = rig();
  assert.equal(await run(registry, 'AT+DEMO=5'), 'OK');
  assert.equal((flash.read() as Record<string, { level: number }>).demo.level, 5);
  assert.equal(service.saved.value.level, 5);
});

test('a saved command that answers ERROR leaves flash and the working copy as they were', async () => {
  const { flash, service, registry } = rig();
  assert.equal(await run(registry, 'AT+DEMO=4'), 'OK');
  assert.equal(await run(registry, 'AT+DEMO=9'), 'ERROR');
  assert.equal((flash.read() as Record<string, { level: number }>).demo.level, 4);
  assert.equal(service.saved.value.level, 4, 'the change is taken back');
});

test('a call that does not save (its `saves` says no) changes nothing saved', async () => {
  const { flash, service, registry } = rig();
  assert.equal(await run(registry, 'AT+DEMO=7,0'), 'OK');
  assert.equal((flash.read() as Record<string, unknown>).demo, undefined);
  assert.equal(service.saved.value.level, 1);
});

test('a saved command in a feature without saved settings is refused when it is declared', () => {
  const registry = new Registry();
  assert.throws(() => registry.add([{ name: '+X', section: '-', summary: '-', saved: true, exec: () => 'OK' }], null), /saved/);
});

test('a saved command that changes nothing (a query form) writes nothing; a change after it does', () => {
  const flash = Flash.open();
  const inner = flash.section('demo', Settings);
  let writes = 0;
  const saved = new Saved({ read: () => inner.read(), write: (v) => (writes++, inner.write(v)) });
  saved.value.level = 3;
  saved.persist();
  saved.persist(); // the same again
  assert.equal(writes, 1);
  saved.value.level = 4;
  saved.persist();
  assert.equal(writes, 2);
  assert.equal((flash.read() as Record<string, { level: number }>).demo.level, 4);
});
