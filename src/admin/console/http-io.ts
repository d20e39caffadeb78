import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../admin-server.js';
import { isLoopback } from '../binding.js';

/** One console route; the admin server's routing table holds it beside its own. */
export type ConsoleRoute = Route;

// The console's JSON bodies are a rule id; anything larger is not the console talking.
const MAX_BODY_BYTES = 4096;

/** Writes a JSON answer that no cache keeps (it holds journal data). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

export function sendConsoleError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

/** The query string of a request as a plain object; a parameter given empty counts as absent. */
export function queryOf(req: IncomingMessage): Record<string, string> {
  const params = new URL(req.url ?? '/', 'http://admin').searchParams;
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (v !== '') out[k] = v;
  return out;
}

/** Reads a small JSON object body; undefined when it is not one. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
}

/**
 * Why a browser's request must not reach a data route, or undefined when it may. Without a token the listener is
 * on loopback, and only the Host header tells a page on another site that re-pointed its name at 127.0.0.1 (DNS
 * rebinding) from one of ours. A change (POST) must be JSON from this very origin: a form or a plain cross-site
 * request cannot send that without a preflight, which this listener never grants.
 */
export function refusedBrowserRequest(req: IncomingMessage, tokenConfigured: boolean): string | undefined {
  const host = req.headers.host ?? '';
  if (!tokenConfigured && !isLoopback(hostName(host))) return `host "${host}" is not a loopback name; open the console at 127.0.0.1`;
  if (req.method === 'POST') {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return 'changes must be sent as application/json';
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) return `origin "${origin}" is not this console's`;
  }
  return undefined;
}
