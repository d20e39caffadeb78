import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Error } from '../errors/s3-error.js';
import { errorXml } from '../s3/xml.js';
import { createHandler } from './handler.js';
import { hostId, nextRequestId } from './request-id.js';
import type { GatewayContext } from './context.js';
import { limitConnections, type ConnectionLimit } from './connection-limit.js';
import { connectionBudget, currentOpenFilesLimit } from './descriptor-budget.js';

// Parser errors in a request's head: no request is being handled yet, so the socket is Ferry's to answer on. (A
// body cut short is the request handler's to settle; an answer written here could cross its own.)
const HEAD_ERRORS = new Set(['HPE_HEADER_OVERFLOW', 'HPE_INVALID_CONTENT_LENGTH', 'HPE_UNEXPECTED_CONTENT_LENGTH',
  'HPE_INVALID_HEADER_TOKEN', 'HPE_INVALID_METHOD', 'HPE_INVALID_URL', 'HPE_INVALID_VERSION', 'HPE_INVALID_CONSTANT',
  'HPE_INVALID_TRANSFER_ENCODING', 'HPE_LF_EXPECTED', 'HPE_CR_EXPECTED']);

/** Splits "host:port" (port may be 0). */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: i === -1 ? '127.0.0.1' : listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

/** Starts the S3 listener; resolves with the server and the address it bound. */
export async function startGateway(ctx: GatewayContext, listen: string):
  Promise<{ server: Server; address: AddressInfo; connections: ConnectionLimit }> {
  const handle = createHandler(ctx);
  const { headersTimeoutMs, idleTimeoutMs } = ctx.config.gateway;
  // No limit on a whole request (a large upload takes as long as it takes), but its head must arrive in time:
  // Node takes a requestTimeout of 0 to disable headersTimeout too unless it is set, and checks both every second.
  // A connection is closed after idleTimeoutMs without a byte either way, and 5 s after a keep-alive answer.
  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 0, headersTimeout: headersTimeoutMs,
    connectionsCheckingInterval: 1_000, keepAliveTimeout: 5_000 }, (req, res) => {
    void handle(req, res);
  });
  server.timeout = idleTimeoutMs;
  const fileLimit = currentOpenFilesLimit();
  const budget = connectionBudget(ctx.config, fileLimit);
  const connections = limitConnections(server, budget.maxConnections);
  if (budget.maxConnections < ctx.config.gateway.maxConnections) {
    ctx.log.warn({ maxConnections: budget.maxConnections, configured: ctx.config.gateway.maxConnections, fileLimit,
      reserved: budget.reserved }, 'client connections capped below gateway.maxConnections to keep descriptors for the regions and the journal');
  }
  // Authenticate before telling the client to send its body, so a refused upload is never transmitted.
  server.on('checkContinue', (req, res) => void handle(req, res, true));
  // Node answers 417 to any other Expect value; an empty one expects nothing, and S3 serves such requests.
  server.on('checkExpectation', (req, res) => {
    if (String(req.headers.expect).trim() === '') void handle(req, res);
    else res.writeHead(417, { 'content-length': '0', connection: 'close' }).end();
  });
  // Requests Node's parser refuses (headers too large, a Content-Length that is empty, negative or not a number, bad
  // framing) get S3's answer rather than a closed socket, which clients would retry for seconds.
  server.on('clientError', (err, socket) => {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (!socket.writable || !HEAD_ERRORS.has(code)) {
      socket.destroy();
      return;
    }
    const requestId = nextRequestId();
    const e = new S3Error(code === 'HPE_HEADER_OVERFLOW' ? 'RequestHeaderSectionTooLarge' : 'BadRequest');
    const body = errorXml(e, '', requestId);
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-amz-request-id: ${requestId}\r\nx-amz-id-2: ${hostId(requestId)}\r\nConnection: close\r\n\r\n${body}`);
  });
  const { host, port } = parseListen(listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, address: server.address() as AddressInfo, connections };
}
