/**
 * The certificate store (§2.4.2 AT+QSSLCERT): one CA (or CA bundle), one client certificate and
 * one client key, saved in the module's flash as PEM text under the section `ssl.certs`
 * ({ "CA"?, "User Cert"?, "User Key"? }). An upload is checked before it is stored: the
 * certificates must parse as X.509 PEM (every certificate of a bundle), the key with
 * `crypto.createPrivateKey` (unencrypted: the module has no passphrase). A malformed upload is
 * refused and leaves what was stored before untouched.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { SavedSettings } from '../commands/registry.ts';
import type { FlashSection } from '../feature/saved.ts';
import { describeError } from '../net/link.ts';
import { CERT_TYPES, type CertPutResult, type CertType } from './types.ts';

/** The flash section: `ssl` (an object), and `certs` in it. */
export const FLASH_SECTION = 'ssl';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const CERT_BEGIN = /-----BEGIN CERTIFICATE-----/g;

type Stored = Partial<Record<CertType, string>>;

/** The `ssl` section as it is stored: `certs`, and whatever else is there (kept as it is). */
const SslFlash = z.record(z.string(), z.unknown());

/** Where the store's section comes from: the module's flash, or a feature's host. */
export interface SectionSource {
  section<T>(name: string, schema: z.ZodType<T>): FlashSection<T>;
}

/**
 * Saved settings that write through (registry.ts): an upload is checked whole and stored at once
 * or not at all, so there is no working copy for the registry to write or take back.
 */
export class CertStore implements SavedSettings {
  private readonly flash: FlashSection<Record<string, unknown>>;

  constructor(source: SectionSource) {
    this.flash = source.section(FLASH_SECTION, SslFlash);
  }

  /** Validates and stores (replacing any earlier one); nothing is stored when refused. */
  put(type: CertType, bytes: Buffer): CertPutResult {
    if (!CERT_TYPES.includes(type)) return { ok: false, reason: `unknown certificate type "${String(type)}"` };
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) return { ok: false, reason: 'not PEM text (invalid UTF-8)' };
    const problem = type === 'User Key' ? checkKey(text) : checkCertificates(text);
    if (problem !== null) return { ok: false, reason: `${type}: ${problem}` };
    const data = this.flash.read();
    certsOf(data, true)![type] = text;
    this.flash.write(data);
    return { ok: true };
  }

  persist(): void {}

  revert(): void {}

  /** The stored bytes, exactly as uploaded. */
  get(type: CertType): Buffer | undefined {
    const text = this.stored()[type];
    return text === undefined ? undefined : Buffer.from(text, 'utf8');
  }

  has(type: CertType): boolean {
    return this.stored()[type] !== undefined;
  }

  /** Removes it; false when there was none. */
  delete(type: CertType): boolean {
    if (!this.has(type)) return false;
    const data = this.flash.read();
    delete certsOf(data, true)![type];
    this.flash.write(data);
    return true;
  }

  private stored(): Stored {
    const certs = certsOf(this.flash.read(), false) ?? {};
    const out: Stored = {};
    for (const type of CERT_TYPES) if (typeof certs[type] === 'string') out[type] = certs[type];
    return out;
  }
}

/** `certs` of the `ssl` section, made when `create` (other keys of `ssl` are kept as they are). */
function certsOf(section: Record<string, unknown>, create: boolean): Record<string, unknown> | undefined {
  if (!isObject(section.certs)) {
    if (!create) return undefined;
    section.certs = {};
  }
  return section.certs as Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One or more PEM certificates (a bundle may have text between them); every one must parse. */
export function checkCertificates(text: string): string | null {
  const blocks = text.match(CERT_BLOCK) ?? [];
  const begins = text.match(CERT_BEGIN)?.length ?? 0;
  if (begins !== blocks.length) return 'a PEM certificate block is not terminated';
  if (blocks.length === 0) return 'no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return `certificate ${i + 1} of ${blocks.length} does not parse: ${describeError(error)}`;
    }
  }
  return null;
}

/** A PEM private key the module could use without a passphrase. */
export function checkKey(text: string): string | null {
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) return 'no PEM private key (-----BEGIN … PRIVATE KEY-----)';
  try {
    createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    return `the private key does not parse: ${describeError(error)}`;
  }
  return null;
}
