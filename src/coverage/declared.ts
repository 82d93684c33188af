/** What the module declares (src/features.ts): every command with the forms its declaration allows. */
import type { CommandSpec } from '../commands/registry.ts';
import type { Feature } from '../feature/feature.ts';
import { FEATURES } from '../features.ts';
import { type FormName, FORMS } from './report.ts';

export interface DeclaredCommand {
  /** `AT+QIOPEN`, `ATE` */
  key: string;
  group: string;
  /** In FORMS order. */
  forms: FormName[];
}

/** A command's name as reports key it: `AT` and its canonical name. */
export function commandKey(name: string): string {
  return `AT${name.toUpperCase()}`;
}

/**
 * The forms a declaration has a handler for. The registry answers `=?` for every extended
 * command, but with nothing to say unless the command has a write form or explicit test lines:
 * only then does `=?` count as a form to cover. Basic commands (`ATE0`, `ATO`) have no `=?`
 * (the parser takes only digits after their letter).
 */
export function allowedForms(spec: CommandSpec<unknown>): FormName[] {
  const extended = spec.name.startsWith('+');
  const has: Record<FormName, boolean> = {
    test: extended && (spec.write !== undefined || spec.test !== undefined),
    read: spec.read !== undefined,
    write: spec.write !== undefined,
    exec: spec.exec !== undefined,
  };
  return FORMS.filter((form) => has[form]);
}

export function declaredCommands(features: readonly Feature<any>[] = FEATURES): DeclaredCommand[] {
  return features.flatMap((feature) =>
    feature.commands.map((spec) => ({ key: commandKey(spec.name), group: feature.name, forms: allowedForms(spec as CommandSpec<unknown>) })),
  );
}
