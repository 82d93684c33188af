/**
 * The scenario file format (docs/testing.md): zod schemas, strict everywhere, so a misspelt key or a
 * bad value is an error naming its field (`steps[2].expect-outptu: unknown step key …`). A step is
 * a mapping with exactly one kind key (`expect-output`, `send`, …) plus optional `timeout`,
 * `module` and `name`; the output keeps that shape, with durations turned into milliseconds.
 */
import { z } from 'zod';
import { AccessPointPatchBody, HostEntryBody } from '../control/schemas.ts';
import { FAULT_KINDS, FaultSpecSchema } from '../faults/types.ts';
import { AccessPointSchema } from '../world/schema.ts';
import { parseDuration } from './duration.ts';
import { PLACEHOLDER } from './host-process.ts';
import { patternProblem } from './pattern.ts';

export const MAX_SCENARIO_MODULES = 16;
/** A step's limit when it names none. */
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
/** The whole scenario's limit when it names none. */
export const DEFAULT_SCENARIO_TIMEOUT_MS = 120_000;

/** A strict object whose unknown-key error lists the keys it allows. */
function strict<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${allowed})`
        : undefined,
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `"10s"`, `"500ms"`, `"1m"` or a number of ms → ms. */
export const DurationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const d = parseDuration(value);
  if ('error' in d) {
    ctx.addIssue({ code: 'custom', message: d.error });
    return z.NEVER;
  }
  return d.ms;
});

/** A literal substring, or `re:<regex>`. */
export const PatternSchema = z.string().superRefine((source, ctx) => {
  const problem = patternProblem(source);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const HexSchema = z.string().regex(/^(?:[0-9a-fA-F]{2})*$/, 'an even number of hex digits');
const ModuleIndexSchema = z.number().int().min(0).max(MAX_SCENARIO_MODULES - 1);

/**
 * One of several shapes, chosen by which key the mapping has (the first of `cases` present).
 * Errors then speak of the chosen shape rather than of a failed union.
 */
function byKey<const C extends readonly (readonly [string, z.ZodType])[]>(what: string, cases: C) {
  const keys = cases.map(([k]) => k);
  return z.unknown().transform((value, ctx): z.output<C[number][1]> => {
    const chosen = isRecord(value) ? cases.find(([k]) => k in value) : undefined;
    if (!chosen) {
      ctx.addIssue({ code: 'custom', message: `${what} is a mapping with one of the keys ${keys.join(', ')}` });
      return z.NEVER;
    }
    const result = chosen[1].safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return result.data as z.output<C[number][1]>;
  });
}

/** Bytes as written: text (sent as UTF-8), or `{ hex: "0d0a" }`. */
const BytesSchema = z.union([z.string(), strict({ hex: HexSchema })], {
  error: () => 'expected text or { hex: "…" }',
});

const InjectSchema = byKey('inject', [
  ['urc', strict({ urc: z.string().min(1) })],
  ['bytes', strict({ bytes: z.string().min(1) })],
  ['hex', strict({ hex: HexSchema.min(2) })],
] as const);

const ApStepSchema = strict({
  ap: z.string().min(1),
  ...AccessPointPatchBody.shape,
  /** A new AP of this SSID, as in the world file (`ssid` may be left out). */
  add: z.record(z.string(), z.unknown()).optional(),
  remove: z.literal(true).optional(),
}).superRefine((step, ctx) => {
  const { ap, add, remove, ...patch } = step;
  const changes = Object.values(patch).filter((v) => v !== undefined).length;
  const actions = (changes > 0 ? 1 : 0) + (add ? 1 : 0) + (remove ? 1 : 0);
  if (actions !== 1) {
    ctx.addIssue({ code: 'custom', message: 'an ap step changes the AP (up, rssi, password, channel, security, internet), adds one (add) or removes it (remove: true): exactly one of these' });
  }
  if (add) {
    const checked = AccessPointSchema.safeParse({ ssid: ap, ...add });
    if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['add', ...issue.path] });
  }
});

const PeerStepSchema = strict({
  'ble-peer': z.string().min(1),
  rssi: z.number().int().min(-127).max(20).optional(),
  disconnect: z.literal(true).optional(),
  remove: z.literal(true).optional(),
}).refine((s) => [s.rssi !== undefined, s.disconnect, s.remove].filter(Boolean).length === 1, {
  message: 'a ble-peer step sets rssi, or disconnect: true, or remove: true: exactly one of these',
});

const HostStepSchema = strict({
  host: z.string().min(1),
  address: z.string().optional(),
  ports: z.record(z.string(), z.number()).optional(),
  remove: z.literal(true).optional(),
}).superRefine((s, ctx) => {
  if (s.remove) {
    if (s.address !== undefined || s.ports !== undefined) ctx.addIssue({ code: 'custom', message: 'remove: true takes no address or ports' });
    return;
  }
  if (s.address === undefined) return void ctx.addIssue({ code: 'custom', path: ['address'], message: 'a host step needs an address (or remove: true)' });
  const checked = HostEntryBody.safeParse(s.ports ? { address: s.address, ports: s.ports } : s.address);
  if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.length ? issue.path : ['address'] });
});

const WorldStepSchema = byKey('world', [
  ['ap', ApStepSchema],
  ['ble-peer', PeerStepSchema],
  ['host', HostStepSchema],
] as const);

/** The control plane's fault catalogue; `module` is a module's index (the fault set holds its label). */
export const FaultStartSchema = z.discriminatedUnion(
  'kind',
  FaultSpecSchema.options.map((o) => o.extend({ module: ModuleIndexSchema.optional() })) as unknown as [
    (typeof FaultSpecSchema.options)[number],
    ...typeof FaultSpecSchema.options,
  ],
  { error: (iss) => (iss.code === 'invalid_union' ? `unknown fault kind (kinds: ${FAULT_KINDS.join(', ')})` : undefined) },
);

export type FaultStart = z.infer<typeof FaultSpecSchema>;

/** A fault step's module index (the schema holds an index where FaultSpec has a label). */
export function faultStartModule(start: FaultStart): number | undefined {
  return (start as { module?: number }).module;
}

const FaultStepSchema = byKey('fault', [
  ['start', strict({ start: FaultStartSchema, as: z.string().min(1).optional() })],
  ['stop', strict({ stop: z.string().min(1) })],
] as const);

const BackendSchema = byKey('expect-backend', [
  ['mqtt', strict({ mqtt: strict({ topic: PatternSchema.optional(), payload: PatternSchema.optional() }) })],
  ['http', strict({ http: strict({ method: z.string().min(1).optional(), path: PatternSchema.optional() }) })],
] as const);

const ForSchema = strict({ pattern: PatternSchema, for: DurationSchema });

export const POWER_ACTIONS = ['reset', 'power-cut', 'power-on', 'wake'] as const;

/** Each step kind and what its key holds. */
export const STEP_KINDS = {
  'expect-command': PatternSchema,
  'expect-output': PatternSchema,
  'expect-no-command': ForSchema,
  'expect-no-output': ForSchema,
  delay: DurationSchema,
  send: BytesSchema,
  inject: InjectSchema,
  world: WorldStepSchema,
  fault: FaultStepSchema,
  'expect-backend': BackendSchema,
  power: z.enum(POWER_ACTIONS),
  'expect-exit': z.number().int().min(0).max(255),
} as const;

export type StepKind = keyof typeof STEP_KINDS;
export const STEP_KIND_NAMES = Object.keys(STEP_KINDS) as StepKind[];

const STEP_COMMON = {
  timeout: DurationSchema.optional(),
  module: ModuleIndexSchema.optional(),
  name: z.string().optional(),
};
const COMMON_NAMES = Object.keys(STEP_COMMON);

type CommonOut = { timeout?: number; module?: number; name?: string };
type StepOf<K extends StepKind> = { [P in K]: z.output<(typeof STEP_KINDS)[P]> } & CommonOut;
type AnyStep = { [K in StepKind]: StepOf<K> }[StepKind];

/** Per kind, the whole step's strict schema (the kind key plus the common ones). */
const STEP_SCHEMAS = Object.fromEntries(STEP_KIND_NAMES.map((k) => [k, z.strictObject({ [k]: STEP_KINDS[k], ...STEP_COMMON })])) as unknown as Record<
  StepKind,
  z.ZodType
>;

const ALLOWED_STEP_KEYS = `a step has exactly one of ${STEP_KIND_NAMES.join(', ')}, and optionally ${COMMON_NAMES.join(', ')}`;

/** The name within 3 edits of `word` (a misspelling's likely intent), if any. */
function nearest(word: string, names: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = editDistance(word.toLowerCase(), name);
    if (d <= 3 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

export const StepSchema = z.unknown().transform((value, ctx): AnyStep => {
  if (!isRecord(value)) {
    ctx.addIssue({ code: 'custom', message: `expected a mapping; ${ALLOWED_STEP_KEYS}` });
    return z.NEVER;
  }
  const keys = Object.keys(value);
  const unknown = keys.filter((k) => !(k in STEP_KINDS) && !COMMON_NAMES.includes(k));
  for (const key of unknown) {
    const near = nearest(key, [...STEP_KIND_NAMES, ...COMMON_NAMES]);
    const hint = near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`;
    ctx.addIssue({ code: 'custom', path: [key], message: `unknown step key ${JSON.stringify(key)}${hint}; ${ALLOWED_STEP_KEYS}` });
  }
  if (unknown.length > 0) return z.NEVER;
  const kinds = keys.filter((k): k is StepKind => k in STEP_KINDS);
  if (kinds.length !== 1) {
    const found = kinds.length === 0 ? 'none' : kinds.join(' and ');
    ctx.addIssue({ code: 'custom', message: `a step has exactly one kind key (found ${found}); ${ALLOWED_STEP_KEYS}` });
    return z.NEVER;
  }
  const result = STEP_SCHEMAS[kinds[0]!].safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return result.data as AnyStep;
});

const HostSchema = strict({
  /** A command line run with `sh -c` in the scenario file's folder; placeholders {tcp} {tcp1}… {pty} {pty1}…. */
  spawn: z.string().min(1).optional(),
  /** Wait for an external host on module 0's TCP port instead. */
  attach: z.boolean().optional(),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
}).refine((h) => (h.spawn !== undefined) !== (h.attach === true), { message: 'host has either spawn: <command> or attach: true' });

export const ScenarioSchema = strict({
  name: z.string().min(1),
  /** A world file (relative to the scenario file) or an inline world (docs/world.md); default: the embedded default world. */
  world: z.union([z.string().min(1), z.record(z.string(), z.unknown())], { error: () => 'expected a world file path or an inline world mapping' }).optional(),
  modules: z.number().int().min(1).max(MAX_SCENARIO_MODULES).default(1),
  /** The echo setting saved at start; default: the factory setting (on). */
  echo: z.boolean().optional(),
  timeout: DurationSchema.default(DEFAULT_SCENARIO_TIMEOUT_MS),
  host: HostSchema.optional(),
  steps: z.array(StepSchema).min(1, 'a scenario needs at least one step'),
}).superRefine((s, ctx) => {
  for (const [i, step] of s.steps.entries()) {
    if (step.module !== undefined && step.module >= s.modules) {
      ctx.addIssue({ code: 'custom', path: ['steps', i, 'module'], message: `module ${step.module} does not exist (the scenario has ${s.modules})` });
    }
    if ('expect-exit' in step && s.host?.spawn === undefined) {
      ctx.addIssue({ code: 'custom', path: ['steps', i, 'expect-exit'], message: 'expect-exit needs a spawned host (host: { spawn: … })' });
    }
    const faultModule = 'fault' in step && 'start' in step.fault ? faultStartModule(step.fault.start) : undefined;
    if (faultModule !== undefined && faultModule >= s.modules) {
      ctx.addIssue({ code: 'custom', path: ['steps', i, 'fault', 'start', 'module'], message: `module ${faultModule} does not exist (the scenario has ${s.modules})` });
    }
  }
  for (const m of (s.host?.spawn ?? '').matchAll(PLACEHOLDER)) {
    const index = m[2] === '' ? 0 : Number(m[2]);
    if (index >= s.modules) {
      ctx.addIssue({ code: 'custom', path: ['host', 'spawn'], message: `${m[0]} names module ${index}, but the scenario has ${s.modules}` });
    }
  }
});

export type Scenario = z.infer<typeof ScenarioSchema>;
export type Step = Scenario['steps'][number];

/** A step's kind: its one kind key. */
export function stepKind(step: Step): StepKind {
  return STEP_KIND_NAMES.find((k) => k in step)!;
}

/** `steps[3] expect-output`: how results and reports name a step. */
export function stepLabel(index: number, step: Step): string {
  return `steps[${index}] ${stepKind(step)}`;
}

/** A zod issue path as a field: `steps[2].expect-outptu`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out;
}
