/**
 * What AT+QHTTPCFG="url" accepts (§2.6.1): an http or https URL with a host, no spaces or control
 * characters (they would make a malformed request line). Anything else is ERROR when it is set.
 */
export function parseHttpUrl(text: string): URL | null {
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  return url;
}

/** A header name or value that would break the request (CR, LF, NUL), or a name that is no HTTP token. */
export function badHeader(name: string, value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\x00]/.test(value);
}
