// A bare reverse proxy in Node (node:http in, undici out, bodies streamed both ways): no authentication, no
// journal, no re-signing. It shows how much of Ferry's cost per request is the runtime's own HTTP work.
import { createServer } from 'node:http';
import { Agent, type Dispatcher } from 'undici';

const [upstream] = process.argv.slice(2);
const origin = new URL(upstream!).origin;
const agent = new Agent({ connections: 128, keepAliveTimeout: 4_000, headersTimeout: 300_000, bodyTimeout: 300_000 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'expect']);

const server = createServer((req, res) => {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0';
  agent.request({ origin, method: req.method as Dispatcher.HttpMethod, path: req.url!, headers, body: hasBody ? req : null,
    reset: req.method === 'HEAD' ? false : undefined })
    .then((up) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode, out);
      up.body.on('error', () => res.destroy());
      up.body.pipe(res);
    }, () => {
      res.writeHead(502).end();
    });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
