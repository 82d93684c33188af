/**
 * Parameter declarations (manual chapter 2 "Parameter" tables) and their validation.
 * A declaration drives both argument checking and the `=?` test answer.
 */
import { isIPv4 } from 'node:net';
import type { RawArg } from '../at/parse.ts';

interface ParamBase<N extends string> {
  /** The manual's name for it; handlers ask `Args` for it by this name. */
  name: N;
  /** May be left off at the end of the line (or left empty); then `default` applies. */
  optional?: boolean;
  /** Overrides the generated `=?` text for this parameter. */
  testText?: string;
}

/** "Integer type". `values` lists the allowed values; otherwise `min`..`max`. */
export interface IntParam<N extends string = string> extends ParamBase<N> {
  type: 'int';
  min?: number;
  max?: number;
  values?: readonly number[];
  default?: number;
}

/** "Hex integer type. Start with 0x." */
export interface HexParam<N extends string = string> extends ParamBase<N> {
  type: 'hex';
  min?: number;
  max?: number;
  default?: number;
}

/**
 * "String type" (`quoted: true`) or "String type without double quotation marks"
 * (`quoted: false`). Both accept either spelling from the host: a quoted value for an
 * unquoted parameter has its quotes removed (see docs/at-engine.md).
 * Lengths are in bytes of UTF-8, as the manual's "Unit: byte".
 */
export interface StringParam<N extends string = string> extends ParamBase<N> {
  type: 'string';
  quoted: boolean;
  minLength?: number;
  maxLength?: number;
  /** Allowed values, compared case-insensitively; the canonical spelling is returned. */
  values?: readonly string[];
  /** A dotted IPv4 address, as the manual's <IP>, <mask>, <gate> and <DNS>. */
  format?: 'ipv4';
  default?: string;
  /**
   * A counted payload (FIDELITY.md "Data mode"): the name of the earlier integer parameter that
   * holds its length. The engine takes that many bytes (times the form's `payloadScale`) raw
   * after the opening quote, whatever they are; the value is a Buffer (`Args.optBytes`).
   */
  counted?: string;
  /**
   * The rest of the command line from here, commas and quotes and all, as one value (the last
   * parameter only): BLE data such as `AT+QBLEGATTCWR=ff01,AT+QSTAAPINFO=ssid\\,pwd` (FIDELITY.md).
   * Quotes around the whole rest are removed.
   */
  rest?: boolean;
}

export type ParamSpec = IntParam | HexParam | StringParam;
export type ArgValue = number | string | Buffer | undefined;

/** The names a declaration gives its parameters, by kind: what a handler may ask `Args` for. */
export type ParamName<P extends readonly ParamSpec[]> = P[number]['name'];
export type IntName<P extends readonly ParamSpec[]> = Extract<P[number], { type: 'int' | 'hex' }>['name'];
export type StrName<P extends readonly ParamSpec[]> = Extract<P[number], { type: 'string' }>['name'];

/**
 * Validated arguments by parameter name; absent optional ones hold their default. Typed from the
 * declaration (`P`): asking for a name the form does not declare, or an integer by a string
 * parameter's name, fails the typecheck (declare parameters with literal names: see declare.ts).
 */
export class Args<P extends readonly ParamSpec[] = readonly ParamSpec[]> {
  constructor(private readonly values: ReadonlyMap<string, ArgValue>, private readonly given: ReadonlySet<string>) {}
  int(name: IntName<P>): number {
    const v = this.values.get(name);
    if (typeof v !== 'number') throw new Error(`parameter ${name} is not an integer`);
    return v;
  }
  str(name: StrName<P>): string {
    const v = this.values.get(name);
    if (typeof v !== 'string') throw new Error(`parameter ${name} is not a string`);
    return v;
  }
  optInt(name: IntName<P>): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }
  optStr(name: StrName<P>): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  /** A counted payload's raw bytes. */
  optBytes(name: StrName<P>): Buffer | undefined {
    const v = this.values.get(name);
    return Buffer.isBuffer(v) ? v : undefined;
  }
  /** Whether the host gave this parameter (rather than a default applying). */
  has(name: ParamName<P>): boolean {
    return this.given.has(name);
  }
}

/** The arguments of execution and read forms, which take none. */
export const NO_ARGS = new Args<readonly []>(new Map(), new Set());

export type ValidateResult<P extends readonly ParamSpec[] = readonly ParamSpec[]> = { ok: true; args: Args<P> } | { ok: false; reason: string };

/** Checks arity, types and ranges; `ERROR` is the answer for any failure (§1.3). */
export function validateArgs<P extends readonly ParamSpec[]>(specs: P, raw: readonly RawArg[]): ValidateResult<P> {
  if (raw.length > specs.length) return { ok: false, reason: `too many parameters (${raw.length} > ${specs.length})` };
  const values = new Map<string, ArgValue>();
  const given = new Set<string>();
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    const arg = raw[i];
    if (arg === undefined || arg.empty) {
      if (!spec.optional) return { ok: false, reason: `missing parameter ${spec.name}` };
      values.set(spec.name, spec.default);
      continue;
    }
    const parsed = parseValue(spec, arg);
    if (!parsed.ok) return parsed;
    values.set(spec.name, parsed.value);
    given.add(spec.name);
  }
  return { ok: true, args: new Args<P>(values, given) };
}

type ParseValue = { ok: true; value: number | string | Buffer } | { ok: false; reason: string };

function parseValue(spec: ParamSpec, arg: RawArg): ParseValue {
  switch (spec.type) {
    case 'int': {
      if (arg.quoted || !/^-?\d{1,10}$/.test(arg.text)) return { ok: false, reason: `${spec.name}: not an integer` };
      const n = Number(arg.text);
      if (spec.values && !spec.values.includes(n)) return { ok: false, reason: `${spec.name}: ${n} not allowed` };
      if (!inRange(n, spec.min, spec.max)) return { ok: false, reason: `${spec.name}: ${n} out of range` };
      return { ok: true, value: n };
    }
    case 'hex': {
      if (arg.quoted || !/^0x[0-9a-f]{1,8}$/i.test(arg.text)) return { ok: false, reason: `${spec.name}: not a 0x hex integer` };
      const n = parseInt(arg.text.slice(2), 16);
      if (!inRange(n, spec.min, spec.max)) return { ok: false, reason: `${spec.name}: ${arg.text} out of range` };
      return { ok: true, value: n };
    }
    case 'string': {
      if (spec.counted) {
        // Counted by the engine (raw bytes); a quoted string it did not count is taken as UTF-8.
        const bytes = arg.bytes ?? Buffer.from(arg.text, 'utf8');
        if (spec.maxLength !== undefined && bytes.length > spec.maxLength) return { ok: false, reason: `${spec.name}: too long` };
        return { ok: true, value: bytes };
      }
      const text = arg.text;
      const length = Buffer.byteLength(text, 'utf8');
      if (spec.minLength !== undefined && length < spec.minLength) return { ok: false, reason: `${spec.name}: too short` };
      if (spec.maxLength !== undefined && length > spec.maxLength) return { ok: false, reason: `${spec.name}: too long` };
      if (spec.format === 'ipv4' && !isIPv4(text)) return { ok: false, reason: `${spec.name}: not an IPv4 address` };
      if (spec.values) {
        const match = spec.values.find((v) => v.toLowerCase() === text.toLowerCase());
        if (match === undefined) return { ok: false, reason: `${spec.name}: ${text} not allowed` };
        return { ok: true, value: match };
      }
      return { ok: true, value: text };
    }
  }
}

function inRange(n: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || n >= min) && (max === undefined || n <= max);
}

/** The `=?` text of one parameter, in the manual's style: `(0,1)`, `(1-65535)`, `"ip/dns"`. */
export function testText(spec: ParamSpec): string {
  if (spec.testText !== undefined) return spec.testText;
  switch (spec.type) {
    case 'int':
      if (spec.values) return `(${spec.values.join(',')})`;
      return `(${spec.min ?? 0}-${spec.max ?? 0})`;
    case 'hex':
      return `(0x${(spec.min ?? 0).toString(16).toUpperCase()}-0x${(spec.max ?? 0).toString(16).toUpperCase()})`;
    case 'string':
      if (spec.values) return `(${spec.values.map((v) => (spec.quoted ? `"${v}"` : v)).join(',')})`;
      return spec.quoted ? `"${spec.name}"` : `<${spec.name}>`;
  }
}
