/**
 * What the host hears of its HTTP requests (§3.6): `+QHTTPGET|POST|PUT: <result>[,<status>[,<length>]]`
 * (the length left out when the server sent none; FIDELITY.md), and in output mode 1
 * `+QHTTPURC: "recv",<len>\r\n<data>` per chunk of at most 1024 bytes (§3.6.5, FIDELITY.md), then
 * `+QHTTPREAD: <result>` once the body is all out (as after AT+QHTTPREAD).
 */
import type { FeatureHost } from '../feature/feature.ts';
import type { HttpService } from './service.ts';

export function reportHttp(http: HttpService, host: FeatureHost): void {
  http.on('result', (method, result, status, length) => {
    const values = [result, ...(status === undefined ? [] : [status]), ...(status !== undefined && length !== undefined ? [length] : [])];
    host.urc(`+QHTTP${method}: ${values.join(',')}`);
  });
  http.on('chunk', (data) => host.urc(Buffer.concat([Buffer.from(`\r\n+QHTTPURC: "recv",${data.length}\r\n`, 'latin1'), data])));
  http.on('streamed', (result) => host.urc(`+QHTTPREAD: ${result}`));
}
