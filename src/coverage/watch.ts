/**
 * Follows one module from outside, through its events only: `line` (a command line came),
 * `reject` (the registry answered a command ERROR, naming it), `output` (responses, final results
 * and URCs, each tagged by the engine with its kind and line) and `power` (a reset cuts a line
 * short). The line is split into commands by the engine's own parser, and names are resolved by
 * the module's own registry, so aliases count under their declaration.
 */
import type { OutputInfo } from '../at/engine.ts';
import { PAYLOAD_MARK, parseLine } from '../at/parse.ts';
import type { RejectReason } from '../commands/registry.ts';
import type { Fc41dModule } from '../device/module.ts';
import { commandKey } from './declared.ts';
import { type LineCommand, LineRun, type Ran } from './line-run.ts';
import type { CoverageTally } from './tally.ts';
import { deferredResult, urcKey } from './urc-catalogue.ts';

export function watchModule(module: Fc41dModule, tally: CoverageTally): () => void {
  let current: LineRun | null = null;
  /** Commands this module was sent: only those get outcomes from URCs of the same name. */
  const sent = new Set<string>();

  const record = (ran: Ran[]) => {
    for (const { command, outcome } of ran) {
      tally.form(command.key, command.form, command.unknown);
      if (outcome !== undefined) tally.outcome(command.key, outcome, command.unknown);
    }
  };
  const abort = () => {
    if (current) record(current.abort());
    current = null;
  };

  const onLine = (text: string) => {
    abort();
    const commands = splitCommands(module, text);
    for (const c of commands) sent.add(c.key);
    current = commands.length > 0 ? new LineRun(commands) : null;
  };
  const onReject = (r: RejectReason) => current?.reject(r.command.source, r.command.form);
  const onOutput = (_bytes: Buffer, info: OutputInfo) => {
    if (info.line === undefined) return;
    if (info.kind === 'response') current?.response(info.line);
    else if (info.kind === 'final' && current) {
      record(current.finish(info.line));
      current = null;
    } else if (info.kind === 'urc') {
      const key = urcKey(info.line);
      if (key === null) return;
      tally.urc(key);
      const result = deferredResult(info.line);
      if (result && sent.has(result.command)) tally.outcome(result.command, result.outcome);
    }
  };

  module.on('line', onLine);
  module.on('reject', onReject);
  module.on('output', onOutput);
  module.on('power', abort);
  return () => {
    module.off('line', onLine);
    module.off('reject', onReject);
    module.off('output', onOutput);
    module.off('power', abort);
    current = null;
  };
}

/** The line's commands as the engine splits them, each under its declaration's name. */
function splitCommands(module: Fc41dModule, text: string): LineCommand[] {
  // Counted payloads travel beside the text (a mark stands in for each): stand-ins do here.
  const marks = text.split(PAYLOAD_MARK).length - 1;
  const parsed = parseLine(text, Array.from({ length: marks }, () => Buffer.alloc(0)));
  if (!parsed.ok) return [];
  return parsed.commands.map((command) => {
    const spec = module.registry.lookup(command.name);
    return { key: commandKey(spec ? spec.name : command.name), unknown: !spec, form: command.form, source: command.source };
  });
}
