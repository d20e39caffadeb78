import type { Socket } from 'node:net';

// How long a connection whose request was answered before its body was read goes on reading, at most.
const LINGER_MS = 2_000;

/**
 * Makes the close after an answer sent before the request's body was read a lingering one, as nginx's: the answer
 * and a FIN go out, what the client still sends is read and dropped for up to LINGER_MS, and only then is the
 * socket destroyed. Destroyed at once (Node's way after a `connection: close` answer), a socket with unread bytes
 * sends a reset, and the reset can reach a client still sending before it has read the answer.
 */
export function lingerOnClose(socket: Socket | null): void {
  // None when the connection is already gone: there is nothing left to close.
  if (!socket) return;
  socket.destroySoon = function lingering(this: Socket): void {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}
