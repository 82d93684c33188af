/**
 * SSL contexts 0–5 (§2.4.1 AT+QSSLCFG): what each TLS connection of a context uses. They take
 * effect at once and are not saved: power-up and reset bring the defaults back (`reset()`).
 */
import {
  DEFAULT_SSL_CONTEXT,
  NEGOTIATE_TIMEOUT_MAX_S,
  NEGOTIATE_TIMEOUT_MIN_S,
  SSL_CONTEXTS,
  type SslContextConfig,
  type SslContextPatch,
} from './types.ts';

export function validSslContext(ctx: number): boolean {
  return Number.isInteger(ctx) && ctx >= 0 && ctx < SSL_CONTEXTS;
}

/** What is wrong with a patch (a value out of its §2.4.1 range), or null if it can be applied. */
export function checkSslPatch(patch: SslContextPatch): string | null {
  const { version, verify, ciphersuites, negotiateTimeout, sni } = patch;
  if (version !== undefined && !intIn(version, 0, 4)) return `SSL version ${String(version)} is not 0-4`;
  if (verify !== undefined && !intIn(verify, 0, 2)) return `verify level ${String(verify)} is not 0-2`;
  if (negotiateTimeout !== undefined && !intIn(negotiateTimeout, NEGOTIATE_TIMEOUT_MIN_S, NEGOTIATE_TIMEOUT_MAX_S))
    return `negotiate timeout ${String(negotiateTimeout)} is not ${NEGOTIATE_TIMEOUT_MIN_S}-${NEGOTIATE_TIMEOUT_MAX_S}`;
  if (sni !== undefined && !intIn(sni, 0, 1)) return `SNI ${String(sni)} is not 0 or 1`;
  if (ciphersuites !== undefined) {
    if (!Array.isArray(ciphersuites) || ciphersuites.length === 0) return 'cipher suites must be a non-empty list';
    const bad = (ciphersuites as unknown[]).find((id) => !intIn(id, 0, 0xffff));
    if (bad !== undefined) return `cipher suite id ${String(bad)} is not 0x0000-0xFFFF`;
  }
  return null;
}

export class SslContexts {
  private contexts: SslContextConfig[] = fresh();

  /** A copy of context `ctx`'s configuration. Throws a RangeError outside 0–5. */
  get(ctx: number): SslContextConfig {
    return copy(this.context(ctx));
  }

  /**
   * Changes some settings of context `ctx`. A context outside 0–5 or a value outside its range
   * (`checkSslPatch`) changes nothing and answers false. Cipher suite ids are any 16-bit values
   * here: an id the module does not know fails the open (550, see `tlsOptions`).
   */
  set(ctx: number, patch: SslContextPatch): boolean {
    if (!validSslContext(ctx) || checkSslPatch(patch) !== null) return false;
    const target = this.context(ctx);
    const { version, verify, ciphersuites, negotiateTimeout, sni } = patch;
    if (version !== undefined) target.version = version as SslContextConfig['version'];
    if (verify !== undefined) target.verify = verify as SslContextConfig['verify'];
    if (ciphersuites !== undefined) target.ciphersuites = [...(ciphersuites as readonly number[])];
    if (negotiateTimeout !== undefined) target.negotiateTimeout = negotiateTimeout as number;
    if (sni !== undefined) target.sni = sni as SslContextConfig['sni'];
    return true;
  }

  /** Power-up or reset: every context back to DEFAULT_SSL_CONTEXT. */
  reset(): void {
    this.contexts = fresh();
  }

  private context(ctx: number): SslContextConfig {
    if (!validSslContext(ctx)) throw new RangeError(`SSL context ${ctx} out of range 0-${SSL_CONTEXTS - 1}`);
    return this.contexts[ctx]!;
  }
}

function fresh(): SslContextConfig[] {
  return Array.from({ length: SSL_CONTEXTS }, () => copy(DEFAULT_SSL_CONTEXT));
}

function copy(config: Readonly<SslContextConfig>): SslContextConfig {
  return { ...config, ciphersuites: [...config.ciphersuites] };
}

function intIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
