import type { IncomingMessage } from 'node:http';

/**
 * Reads and discards what is left of a refused form, up to `maxBytes` or `ms`, before it is answered. A socket
 * closed with bytes still unread is reset, and a client still sending (Node 24's fetch, for one) then loses the
 * answer; once the small rest is read, it gets it. A larger or slower rest is left to the close, as before.
 */
export function drainRefused(req: IncomingMessage, maxBytes = 1024 * 1024, ms = 2_000): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    const timer = setTimeout(done, ms);
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}
