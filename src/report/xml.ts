/**
 * XML 1.0 text and attribute escaping for the JUnit writer. Transcripts and host logs hold any
 * byte a host or module sent; characters XML 1.0 cannot carry at all (C0 controls other than
 * TAB, LF, CR; U+FFFE/U+FFFF; lone surrogates) become a visible `\xNN` / `\uNNNN` instead,
 * so the document always parses.
 */

// Everything XML 1.0 forbids, even as a character reference.
const INVALID = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Replaces the characters XML 1.0 cannot carry by `\xNN` / `\uNNNN`. */
export function xmlSafe(text: string): string {
  return text.replace(INVALID, visible);
}

/** Element content: `&`, `<`, `>` escaped (`>` so that `]]>` never appears). */
export function xmlText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value (for double quotes); TAB, LF and CR as references so parsers keep them. */
export function xmlAttr(value: string | number): string {
  return xmlText(String(value))
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** `<name a="1" b="x">`: attributes with an undefined value are left out. */
export function openTag(name: string, attrs: Record<string, string | number | undefined>, selfClose = false): string {
  const parts = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(v as string | number)}"`);
  return `<${name}${parts.join('')}${selfClose ? '/>' : '>'}`;
}
