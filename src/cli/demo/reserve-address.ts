import { createServer } from 'node:net';
import { splitListen } from '../../admin/binding.js';
import { FerryError } from '../../errors/ferry-error.js';
import { listenError, type Listener } from '../listen-error.js';

/**
 * Binds the listener's address for a moment and lets it go: an address in use is ADDRESS_IN_USE before anything
 * starts, and port 0 becomes the free port the system chose, so a configuration can name it.
 */
export async function reserveAddress(l: Listener): Promise<string> {
  const { host, port } = splitListen(l.listen);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FerryError('OPTION_INVALID', `${l.what}: "${l.listen}" is not an address`, 'give HOST:PORT with a port from 0 to 65535 (0: any free one), e.g. 127.0.0.1:9000');
  }
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => resolve());
    });
  } catch (err) {
    throw listenError(err, [l]);
  }
  const bound = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return `${host.includes(':') ? `[${host}]` : host}:${bound}`;
}
