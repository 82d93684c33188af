/**
 * The command registry: every command declared as data from the manual (name, aliases
 * from FIDELITY.md, forms, parameters, whether it is saved, manual section) plus a small
 * handler. The declaration drives argument validation and the `=?` answer.
 */
import type { ExecContext } from '../at/engine.ts';
import { openArguments, type ParsedCommand } from '../at/parse.ts';
import { type Args, NO_ARGS, type ParamSpec, type StringParam, testText, validateArgs } from './params.ts';

/** A handler gets the engine context, the device it acts on, and validated arguments. */
export type Handler<D> = (ctx: ExecContext, device: D, args: Args) => Promise<string> | string;

export interface WriteForm<D> {
  params: readonly ParamSpec[];
  handler: Handler<D>;
  /** Characters of a counted payload per byte of its length: 2 while the device takes hex (default 1). */
  payloadScale?: (device: D, args: Args) => number;
}

/** Commands whose first parameter selects a setting, e.g. `AT+QICFG="transpktsize",…`. */
export interface KeyedWriteForm<D> {
  key: StringParam;
  variants: Readonly<Record<string, WriteForm<D>>>;
}

export interface CommandSpec<D> {
  /** Canonical name as the host types it after `AT`: `+QVERSION`, or `O` for ATO. */
  name: string;
  /** Misspellings from the manual that real hosts may send (FIDELITY.md). */
  aliases?: readonly string[];
  /** Manual section, e.g. "2.1.2". */
  section: string;
  summary: string;
  /** "The configuration is saved automatically" in the manual. */
  saved?: boolean;
  /** Prefix of `=?` lines when it is not `<name>: ` (FIDELITY.md spacing). */
  prefix?: string;
  exec?: Handler<D>;
  read?: Handler<D>;
  write?: WriteForm<D> | KeyedWriteForm<D>;
  /** Explicit `=?` lines where the manual gives them and generation would differ. */
  test?: readonly string[];
}

export type RejectReason = { command: ParsedCommand; reason: string };

export class Registry<D> {
  private readonly byName = new Map<string, CommandSpec<D>>();

  constructor(specs: readonly CommandSpec<D>[] = []) {
    for (const spec of specs) this.add(spec);
  }

  add(spec: CommandSpec<D>): void {
    for (const name of [spec.name, ...(spec.aliases ?? [])].map((n) => n.toUpperCase())) {
      if (this.byName.has(name)) throw new Error(`command ${name} declared twice`);
      this.byName.set(name, spec);
    }
  }

  lookup(name: string): CommandSpec<D> | undefined {
    return this.byName.get(name.toUpperCase());
  }

  /** Every declared command, once each. */
  all(): CommandSpec<D>[] {
    return [...new Set(this.byName.values())];
  }

  /**
   * The engine met an opening quote after `lineSoFar`: if it opens a counted parameter (see
   * StringParam.counted) of a write form, with a valid length before it, how many bytes to
   * take raw. Null otherwise (an ordinary quoted string).
   */
  countedLength(lineSoFar: string, device: D): number | null {
    const open = openArguments(lineSoFar);
    if (!open) return null;
    const write = this.lookup(open.name)?.write;
    if (!write) return null;
    const selected = selectForm(write, { name: open.name, source: lineSoFar, form: 'write', args: open.args });
    if (!selected.ok) return null;
    const { params, payloadScale } = selected.form;
    const param = params[selected.args.length];
    if (param?.type !== 'string' || param.counted === undefined) return null;
    const before = validateArgs(params.slice(0, selected.args.length), selected.args);
    if (!before.ok) return null;
    const length = before.args.optInt(param.counted);
    if (length === undefined) return null;
    return length * (payloadScale?.(device, before.args) ?? 1);
  }

  /** Runs one parsed command against a device; unknown commands and bad arguments give ERROR. */
  async execute(command: ParsedCommand, ctx: ExecContext, device: D, onReject?: (r: RejectReason) => void): Promise<string> {
    const reject = (reason: string) => {
      onReject?.({ command, reason });
      return 'ERROR';
    };
    const spec = this.lookup(command.name);
    if (!spec) return reject('unknown command');
    switch (command.form) {
      case 'exec':
        return spec.exec ? spec.exec(ctx, device, NO_ARGS) : reject('no execution form');
      case 'read':
        return spec.read ? spec.read(ctx, device, NO_ARGS) : reject('no read form');
      case 'test':
        for (const line of testLines(spec)) ctx.line(line);
        return 'OK';
      case 'write': {
        if (!spec.write) return reject('no write form');
        const form = selectForm(spec.write, command);
        if (!form.ok) return reject(form.reason);
        const result = validateArgs(form.form.params, form.args);
        if (!result.ok) return reject(result.reason);
        return form.form.handler(ctx, device, result.args);
      }
    }
  }
}

type Selected<D> = { ok: true; form: WriteForm<D>; args: ParsedCommand['args'] } | { ok: false; reason: string };

function selectForm<D>(write: WriteForm<D> | KeyedWriteForm<D>, command: ParsedCommand): Selected<D> {
  if ('params' in write) return { ok: true, form: write, args: command.args };
  const [key, ...rest] = command.args;
  if (!key || key.empty) return { ok: false, reason: `missing ${write.key.name}` };
  const name = Object.keys(write.variants).find((k) => k.toLowerCase() === key.text.toLowerCase());
  if (name === undefined) return { ok: false, reason: `unknown ${write.key.name} ${key.text}` };
  return { ok: true, form: write.variants[name], args: rest };
}

/** The `=?` answer: explicit lines, or one generated from the write parameters. */
export function testLines<D>(spec: CommandSpec<D>): string[] {
  if (spec.test) return [...spec.test];
  const prefix = spec.prefix ?? `${spec.name}: `;
  const write = spec.write;
  if (!write) return [];
  if ('params' in write) return [prefix + write.params.map(testText).join(',')];
  return Object.entries(write.variants).map(([key, form]) =>
    prefix + [write.key.quoted ? `"${key}"` : key, ...form.params.map(testText)].join(','),
  );
}
