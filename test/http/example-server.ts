/**
 * The servers of manual example 4.6 on one local port, for test/transcripts/example-4.6.at: a page
 * at `/`, a form-data upload at `/study_log/` (answers how many parts and bytes it got), a PUT at
 * `/uploads/test.txt`, and `/1M.txt` (1 MiB of digits) honouring `Range: bytes=a-b`.
 */
import { testServer, type TestServer } from './at-rig.ts';

const PAGE = '<html>\r\n<head>\r\n</head>\r\n</html>\r\n';
const MEGABYTE = Buffer.from('0123456789'.repeat(104_858).slice(0, 1024 * 1024));

export function exampleHttpServer(): Promise<TestServer> {
  return testServer((req, res) => {
    // statusCode and setHeader rather than writeHead, so node sets Content-Length from the body.
    if (req.method === 'GET' && req.url === '/') return void (res.setHeader('Content-Type', 'text/html'), res.end(PAGE));
    if (req.method === 'POST' && req.url === '/study_log/') {
      const type = req.headers['content-type'] ?? '';
      const parts = type.startsWith('multipart/form-data') ? (req.body.toString('latin1').match(/Content-Disposition: form-data/gi)?.length ?? 0) : 0;
      return void res.end(`parts=${parts} bytes=${req.body.length}`);
    }
    if (req.method === 'PUT' && req.url === '/uploads/test.txt') return void ((res.statusCode = 201), res.end(`stored ${req.body.length}`));
    if (req.method === 'GET' && req.url === '/1M.txt') {
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (!range) return void res.end(MEGABYTE);
      const [from, to] = [Number(range[1]), Number(range[2])];
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${from}-${to}/${MEGABYTE.length}`);
      return void res.end(MEGABYTE.subarray(from, to + 1));
    }
    res.statusCode = 404;
    res.end();
  });
}
