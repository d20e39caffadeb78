import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

/**
 * The signal that cancels a forwarded request once its client has gone. undici takes any EventEmitter with
 * `aborted` and an 'abort' event as a signal; this one costs a fraction of an AbortController (an EventTarget with
 * its own listener bookkeeping), which the profile of 4 KiB GETs showed at 4 % of the gateway's time.
 */
export class ClientGone extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

/** A signal that fires when `res` closes before its answer was written whole (the client hung up). */
export function cancelOnClose(res: ServerResponse): ClientGone {
  const gone = new ClientGone();
  res.once('close', () => { if (!res.writableFinished) gone.abort(); });
  return gone;
}
