import { FerryError } from '../errors/ferry-error.js';

/** A listener a command binds: what it is, its address as configured, and how the operator changes it. */
export interface Listener {
  what: string;
  listen: string;
  change: string;
}

function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/**
 * Pure: a failure to bind made an operator's error: an address in use becomes ADDRESS_IN_USE naming the listener
 * and how to change it. Anything else is returned as it was.
 */
export function listenError(err: unknown, listeners: Listener[]): unknown {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code !== 'EADDRINUSE') return err;
  const l = listeners.find((x) => portOf(x.listen) === e.port) ?? listeners[0];
  const address = e.address !== undefined && e.port !== undefined ? `${e.address}:${e.port}` : l?.listen ?? 'an address';
  return new FerryError('ADDRESS_IN_USE', `${l?.what ?? 'a listener'}: ${address} is already in use by another process`,
    `stop what listens there (ss -ltnp 'sport = :${e.port ?? '?'}' shows it), or ${l?.change ?? 'choose another address'}`);
}
