/**
 * How a feature declares its commands with arguments typed from the declaration:
 *
 *   const { form, keyed } = declare<WifiService>();
 *   write: form([{ name: 'SSID', type: 'string', quoted: false }], (ctx, wifi, args) => args.str('SSID'))
 *
 * `args.str('SSDI')` fails the typecheck. Parameters shared between commands are declared with
 * literal names (`param.int('socketID', …)` or `as const satisfies IntParam`), so the names stay
 * known to the typechecker.
 */
import type { Args, IntParam, ParamName, ParamSpec, StringParam } from './params.ts';
import { declaredForm, type Handler, type KeyedWriteForm, type WriteForm } from './registry.ts';

export function declare<S>() {
  return {
    /** A write form: its handler's `args` know the parameter names and kinds. */
    form<const P extends readonly ParamSpec[]>(
      params: P,
      handler: Handler<S, P>,
      opts: { payloadScale?: (service: S, args: Args<P>) => number; saves?: (args: Args<P>) => boolean } = {},
      // A parameter whose name is only `string` would let any name through: refuse the declaration.
      ..._literalNames: string extends ParamName<P> ? [error: 'declare parameter names as literals (param.int / param.str)'] : []
    ): WriteForm<S> {
      return declaredForm(params, handler, opts);
    },
    /** `AT+X="<setting>",…`: one form per setting. */
    keyed(key: StringParam, variants: Readonly<Record<string, WriteForm<S>>>): KeyedWriteForm<S> {
      return { key, variants };
    },
  };
}

/** Parameter builders that keep the literal name (for parameters shared between declarations). */
export const param = {
  int<const N extends string>(name: N, spec: Omit<IntParam<N>, 'name' | 'type'> = {}): IntParam<N> {
    return { name, type: 'int', ...spec };
  },
  str<const N extends string>(name: N, spec: Omit<StringParam<N>, 'name' | 'type'>): StringParam<N> {
    return { name, type: 'string', ...spec };
  },
};
