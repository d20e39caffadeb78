import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { FerryError } from '../errors/ferry-error.js';
import { checkAdminBinding, splitListen } from './binding.js';

/** What the admin endpoints read and do; the runtime supplies it. */
export interface AdminHandlers {
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): Promise<unknown>;
  ready(): Promise<{ ready: boolean; checks: Record<string, string> }>;
  reload(): Promise<unknown>;
  /** The web console: its page files hold no data and are served without the token, its data routes with it. */
  console?: { page: Record<string, Route>; data: Record<string, Route> };
}

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, hint?: string): void {
  send(res, status, { error: { code, message, ...(hint ? { hint } : {}) } });
}

/** Pure: whether an Authorization header carries the token (compared in constant time over their digests). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!.trim()), digest(token));
}

/** The admin routing table: method and path to handler. */
function routes(h: AdminHandlers): Record<string, Route> {
  return {
    'GET /healthz': async (_req, res) => send(res, 200, { status: 'ok' }),
    'GET /readyz': async (_req, res) => {
      const r = await h.ready();
      send(res, r.ready ? 200 : 503, r);
    },
    'GET /metrics': async (_req, res) => {
      const m = await h.metrics();
      send(res, 200, m.body, m.contentType);
    },
    'GET /status': async (_req, res) => send(res, 200, await h.status()),
    'POST /rules/reload': async (req, res) => {
      req.resume();
      send(res, 200, await h.reload());
    },
  };
}

/**
 * Starts the admin listener on its own address. With a token, every request must carry `Authorization: Bearer
 * <token>`; without one, it may listen on loopback only (checked before binding).
 */
export async function startAdminServer(admin: { listen: string; token?: string }, h: AdminHandlers, log: Logger):
  Promise<{ server: Server; address: AddressInfo }> {
  checkAdminBinding(admin);
  const table = { ...routes(h), ...h.console?.data };
  const open = h.console?.page ?? {};
  const server = createServer({ requestTimeout: 30_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const page = open[`${req.method} ${path}`];
    if (!page && admin.token !== undefined && !bearerMatches(req.headers.authorization, admin.token)) {
      req.resume();
      res.setHeader('www-authenticate', 'Bearer realm="ferry-admin"');
      sendError(res, 401, 'ADMIN_UNAUTHORIZED', 'the admin token is missing or wrong', 'send Authorization: Bearer <admin.token>');
      return;
    }
    const route = page ?? table[`${req.method} ${path}`];
    if (!route) {
      req.resume();
      const known = [...Object.keys(table), ...Object.keys(open)].some((k) => k.endsWith(` ${path}`));
      sendError(res, known ? 405 : 404, known ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND', `${req.method} ${path} is not an admin endpoint`);
      return;
    }
    route(req, res).catch((err: unknown) => {
      const e = err as Error;
      if (err instanceof FerryError) sendError(res, 400, err.code, err.message, err.hint);
      else {
        log.error({ err: e.message, path }, 'admin request failed');
        sendError(res, 500, 'INTERNAL', e.message);
      }
    });
  });
  const { host, port } = splitListen(admin.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, address: server.address() as AddressInfo };
}
