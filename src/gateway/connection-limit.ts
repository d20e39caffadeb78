import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What the cap did, for logs and tests. */
export interface ConnectionLimit {
  /** Connections open now. */
  open(): number;
  /** Connections closed to make room (idle ones), or refused (every slot serving a request). */
  readonly counts: { evicted: number; refused: number };
}

/**
 * Holds the server to `max` client connections. At the cap a new connection takes the place of the oldest one
 * that is serving no request (idle between keep-alive requests, or still short of a whole request head, as a
 * slowloris client stays); only when every connection is serving a request is the new one closed. So clients
 * that trickle headers or sit idle can fill the slots, but never keep a real request out.
 */
export function limitConnections(server: Server, max: number): ConnectionLimit {
  // Insertion order is age: the first idle one found is the oldest.
  const sockets = new Map<Socket, { requests: number }>();
  const counts = { evicted: 0, refused: 0 };
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, { requests: 0 });
    socket.once('close', () => sockets.delete(socket));
    if (sockets.size <= max) return;
    for (const [other, state] of sockets) {
      if (state.requests === 0 && other !== socket) {
        counts.evicted++;
        sockets.delete(other);
        other.destroy();
        return;
      }
    }
    counts.refused++;
    sockets.delete(socket);
    socket.destroy();
  });
  const serving = (req: IncomingMessage, res: ServerResponse) => {
    const state = sockets.get(req.socket);
    if (!state) return;
    state.requests++;
    res.once('close', () => { state.requests--; });
  };
  // Listeners added before the handler's, so a request counts as served from its first moment.
  server.prependListener('request', serving);
  server.prependListener('checkContinue', serving);
  server.prependListener('checkExpectation', serving);
  return { open: () => sockets.size, counts };
}
