import { expandEnv } from '../config/expand-env.js';
import { connectHost, splitListen } from './binding.js';

export type AdminReloadResult =
  | { ok: true; pid: number; rules: Array<{ id: string; enabled: boolean }> }
  | { ok: false; error: string };

/**
 * Asks the Ferry listening on `admin` to reload its configuration file (POST /rules/reload with the bearer
 * token). Resolves with the pid that reloaded, or why it could not: the caller then falls back to SIGHUP.
 * Only the admin section is expanded from the environment, so no region secret is needed here.
 */
export async function reloadThroughAdmin(rawAdmin: unknown, env: NodeJS.ProcessEnv = process.env, timeoutMs = 10_000): Promise<AdminReloadResult> {
  let admin: { listen?: string; token?: string };
  try {
    admin = expandEnv(rawAdmin, env, 'admin') as typeof admin;
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const { host, port } = splitListen(admin.listen ?? '127.0.0.1:9001');
  const h = connectHost(host);
  const url = `http://${h.includes(':') ? `[${h}]` : h}:${port}/rules/reload`;
  try {
    const res = await fetch(url, {
      method: 'POST', signal: AbortSignal.timeout(timeoutMs),
      headers: admin.token ? { authorization: `Bearer ${admin.token}` } : {},
    });
    const body = await res.json().catch(() => ({})) as { pid?: number; rules?: Array<{ id: string; enabled: boolean }>; error?: { code: string; message: string } };
    if (!res.ok) return { ok: false, error: `${res.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`.trim() };
    return { ok: true, pid: Number(body.pid), rules: body.rules ?? [] };
  } catch (err) {
    return { ok: false, error: `${url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}` };
  }
}
