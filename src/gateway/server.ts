import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { S3Error } from '../errors/s3-error.js';
import { errorXml } from '../s3/xml.js';
import { createHandler } from './handler.js';
import type { GatewayContext } from './context.js';

/** Splits "host:port" (port may be 0). */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: i === -1 ? '127.0.0.1' : listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

/** Starts the S3 listener; resolves with the server and the address it bound. */
export async function startGateway(ctx: GatewayContext, listen: string): Promise<{ server: Server; address: AddressInfo }> {
  const handle = createHandler(ctx);
  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 0, keepAliveTimeout: 5_000 }, (req, res) => {
    void handle(req, res);
  });
  // Authenticate before telling the client to send its body, so a refused upload is never transmitted.
  server.on('checkContinue', (req, res) => void handle(req, res, true));
  // Node answers 417 to any other Expect value; an empty one expects nothing, and S3 serves such requests.
  server.on('checkExpectation', (req, res) => {
    if (String(req.headers.expect).trim() === '') void handle(req, res);
    else res.writeHead(417, { 'content-length': '0', connection: 'close' }).end();
  });
  server.on('clientError', (err, socket) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (socket.writable && code === 'HPE_HEADER_OVERFLOW') {
      const body = errorXml(new S3Error('RequestHeaderSectionTooLarge'), '', randomBytes(8).toString('hex').toUpperCase());
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    } else socket.destroy();
  });
  const { host, port } = parseListen(listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, address: server.address() as AddressInfo };
}
