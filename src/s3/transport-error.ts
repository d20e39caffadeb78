/** The error code a transport failure carries (undici puts the socket's on `cause`). */
export function transportCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code ?? e?.cause?.code;
}

// Failures before a connection existed: the request cannot have left this machine.
const BEFORE_CONNECTING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT']);

/** True when a request failed before any of it was sent, so the far side cannot have acted on it. */
export function neverSent(err: unknown): boolean {
  return BEFORE_CONNECTING.has(transportCode(err) ?? '');
}
