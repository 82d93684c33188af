/**
 * The command registry: every command declared as data from the manual (name, aliases from
 * FIDELITY.md, forms, parameters, whether it is saved, manual section) plus a small handler, bound
 * to the service of the feature that declares it. The declaration drives argument validation, the
 * `=?` answer, counted payloads and persistence of saved settings.
 */
import type { ExecContext } from '../at/engine.ts';
import { argsWithRest, openArguments, type ParsedCommand } from '../at/parse.ts';
import { type Args, NO_ARGS, type ParamSpec, type StringParam, testText, validateArgs } from './params.ts';

/** A handler gets the engine context, its feature's service, and validated arguments. */
export type Handler<S, P extends readonly ParamSpec[] = readonly []> = (ctx: ExecContext, service: S, args: Args<P>) => Promise<string> | string;

const DECLARED: unique symbol = Symbol('declared form');

/** A write form, made by `form()` (declare.ts) so that its handler's arguments are typed from `params`. */
export interface WriteForm<S> {
  readonly [DECLARED]: true;
  readonly params: readonly ParamSpec[];
  readonly handler: Handler<S, any>;
  /** Characters of a counted payload per byte of its length: 2 while the service takes hex (default 1). */
  readonly payloadScale?: (service: S, args: Args<any>) => number;
  /** For a saved command: whether this call saves (AT+QSETBAND's <save>); saved when absent. */
  readonly saves?: (args: Args<any>) => boolean;
}

export function declaredForm<S, P extends readonly ParamSpec[]>(
  params: P,
  handler: Handler<S, P>,
  opts: { payloadScale?: (service: S, args: Args<P>) => number; saves?: (args: Args<P>) => boolean } = {},
): WriteForm<S> {
  return { [DECLARED]: true, params, handler, ...opts };
}

/** Commands whose first parameter selects a setting, e.g. `AT+QICFG="transpktsize",…`. */
export interface KeyedWriteForm<S> {
  key: StringParam;
  variants: Readonly<Record<string, WriteForm<S>>>;
}

export interface CommandSpec<S> {
  /** Canonical name as the host types it after `AT`: `+QVERSION`, or `O` for ATO. */
  name: string;
  /** Misspellings from the manual that real hosts may send (FIDELITY.md). */
  aliases?: readonly string[];
  /** Manual section, e.g. "2.1.2" (test/manual-sections.test.ts checks it exists). */
  section: string;
  summary: string;
  /**
   * "The configuration is saved automatically" in the manual. The registry then writes the
   * feature's saved settings to flash after the command succeeds, and takes back what the handler
   * changed in them when it answers ERROR: handlers change settings, never the flash.
   */
  saved?: boolean;
  /** Prefix of `=?` lines when it is not `<name>: ` (FIDELITY.md spacing). */
  prefix?: string;
  exec?: Handler<S>;
  read?: Handler<S>;
  write?: WriteForm<S> | KeyedWriteForm<S>;
  /** Explicit `=?` lines where the manual gives them and generation would differ. */
  test?: readonly string[];
}

/** A feature's settings that saved commands change: written after success, reloaded after ERROR. */
export interface SavedSettings {
  persist(): void;
  revert(): void;
}

export type RejectReason = { command: ParsedCommand; reason: string };

/** A declaration with the service its handlers act on. */
interface Bound {
  spec: CommandSpec<unknown>;
  service: unknown;
  saved?: SavedSettings;
}

export class Registry {
  private readonly byName = new Map<string, Bound>();

  /** Adds a feature's commands, bound to its service (and its saved settings, if it has any). */
  add<S>(specs: readonly CommandSpec<S>[], service: S, saved?: SavedSettings): void {
    for (const spec of specs) {
      if (spec.saved && !saved) throw new Error(`${spec.name} is saved but its feature has no saved settings`);
      const bound: Bound = { spec: spec as CommandSpec<unknown>, service, saved };
      for (const name of [spec.name, ...(spec.aliases ?? [])].map((n) => n.toUpperCase())) {
        if (this.byName.has(name)) throw new Error(`command ${name} declared twice`);
        this.byName.set(name, bound);
      }
    }
  }

  lookup(name: string): CommandSpec<unknown> | undefined {
    return this.byName.get(name.toUpperCase())?.spec;
  }

  /** Every declared command, once each. */
  all(): CommandSpec<unknown>[] {
    return [...new Set([...this.byName.values()].map((b) => b.spec))];
  }

  /**
   * The engine met an opening quote after `lineSoFar`: if it opens a counted parameter (see
   * StringParam.counted) of a write form, with a valid length before it, how many bytes to
   * take raw. Null otherwise (an ordinary quoted string).
   */
  countedLength(lineSoFar: string): number | null {
    const open = openArguments(lineSoFar);
    if (!open) return null;
    const bound = this.byName.get(open.name.toUpperCase());
    const write = bound?.spec.write;
    if (!bound || !write) return null;
    const selected = selectForm(write, { name: open.name, source: lineSoFar, form: 'write', args: open.args });
    if (!selected.ok) return null;
    const { params, payloadScale } = selected.form;
    const param = params[selected.args.length];
    if (param?.type !== 'string' || param.counted === undefined) return null;
    const before = validateArgs(params.slice(0, selected.args.length), selected.args);
    if (!before.ok) return null;
    const length = before.args.optInt(param.counted);
    if (length === undefined) return null;
    return length * (payloadScale?.(bound.service, before.args) ?? 1);
  }

  /** Runs one parsed command; unknown commands and bad arguments give ERROR. */
  async execute(command: ParsedCommand, ctx: ExecContext, onReject?: (r: RejectReason) => void): Promise<string> {
    const reject = (reason: string) => {
      onReject?.({ command, reason });
      return 'ERROR';
    };
    const bound = this.byName.get(command.name.toUpperCase());
    if (!bound) return reject('unknown command');
    const { spec, service } = bound;
    switch (command.form) {
      case 'exec':
        return spec.exec ? this.saving(bound, true, () => spec.exec!(ctx, service, NO_ARGS)) : reject('no execution form');
      case 'read':
        return spec.read ? spec.read(ctx, service, NO_ARGS) : reject('no read form');
      case 'test':
        for (const line of testLines(spec)) ctx.line(line);
        return 'OK';
      case 'write': {
        if (!spec.write) return reject('no write form');
        if (command.malformed && 'key' in spec.write) return reject('bad arguments');
        const selected = selectForm(spec.write, command);
        if (!selected.ok) return reject(selected.reason);
        const rest = withRest(selected.form, command);
        if (rest === null) return reject('bad arguments');
        if (rest) selected.args = rest;
        else if (command.malformed) return reject('bad arguments');
        const result = validateArgs(selected.form.params, selected.args);
        if (!result.ok) return reject(result.reason);
        const saves = selected.form.saves?.(result.args) ?? true;
        return this.saving(bound, saves, () => selected.form.handler(ctx, service, result.args));
      }
    }
  }

  /**
   * Runs a handler of a saved command: its settings go to flash on success, back to what the
   * flash holds on ERROR or when this call does not save (`saves`).
   */
  private async saving(bound: Bound, saves: boolean, run: () => Promise<string> | string): Promise<string> {
    const saved = bound.spec.saved ? bound.saved : undefined;
    if (!saved) return run();
    let answer: string;
    try {
      answer = await run();
    } catch (error) {
      saved.revert();
      throw error;
    }
    if (answer === 'ERROR' || !saves) saved.revert();
    else saved.persist();
    return answer;
  }
}

/** A form whose last parameter takes the rest of the line: its arguments split again (undefined: not such a form). */
function withRest<S>(form: WriteForm<S>, command: ParsedCommand): ParsedCommand['args'] | null | undefined {
  const last = form.params[form.params.length - 1];
  if (last?.type !== 'string' || !last.rest) return undefined;
  return argsWithRest(command, form.params.length - 1); // (not for keyed forms, whose key comes first)
}

type Selected<S> = { ok: true; form: WriteForm<S>; args: ParsedCommand['args'] } | { ok: false; reason: string };

function selectForm<S>(write: WriteForm<S> | KeyedWriteForm<S>, command: ParsedCommand): Selected<S> {
  if (!('key' in write)) return { ok: true, form: write, args: command.args };
  const [key, ...rest] = command.args;
  if (!key || key.empty) return { ok: false, reason: `missing ${write.key.name}` };
  const name = Object.keys(write.variants).find((k) => k.toLowerCase() === key.text.toLowerCase());
  if (name === undefined) return { ok: false, reason: `unknown ${write.key.name} ${key.text}` };
  return { ok: true, form: write.variants[name], args: rest };
}

/** The `=?` answer: explicit lines, or one generated from the write parameters. */
export function testLines<S>(spec: CommandSpec<S>): string[] {
  if (spec.test) return [...spec.test];
  const prefix = spec.prefix ?? `${spec.name}: `;
  const write = spec.write;
  if (!write) return [];
  if (!('key' in write)) return [prefix + write.params.map(testText).join(',')];
  return Object.entries(write.variants).map(([key, form]) =>
    prefix + [write.key.quoted ? `"${key}"` : key, ...form.params.map(testText)].join(','),
  );
}
