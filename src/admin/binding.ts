import { isIP } from 'node:net';
import { FerryError } from '../errors/ferry-error.js';

/** Pure: host and port of "host:port" ("[::1]:9001" for IPv6); the host defaults to 127.0.0.1. */
export function splitListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = i === -1 ? '127.0.0.1' : listen.slice(0, i).replace(/^\[|\]$/g, '');
  return { host: host || '127.0.0.1', port: Number(i === -1 ? listen : listen.slice(i + 1)) };
}

/** Pure: whether a host is a loopback address (127.0.0.0/8, ::1, localhost); a wildcard or name is not. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return /^::ffff:127\./i.test(host);
}

/** Refuses an admin listener reachable from other machines without a token: it can reload rules and read the audit trail. */
export function checkAdminBinding(admin: { listen: string; token?: string }): void {
  const { host } = splitListen(admin.listen);
  if (!admin.token && !isLoopback(host)) {
    throw new FerryError('ADMIN_TOKEN_REQUIRED', `admin.listen "${admin.listen}" is beyond loopback and admin.token is not set`,
      'set admin.token (e.g. "${ADMIN_TOKEN}"), or listen on 127.0.0.1');
  }
}

/** Where a local client reaches a listener: a wildcard address is reached through loopback. */
export function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}
