import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';
import { errorXml } from '../s3/xml.js';
import { hostId } from './request-id.js';

/** Writes Ferry's own S3 error document (never for errors the source sent: those pass through unchanged). */
export function sendError(res: ServerResponse, err: S3Error, resource: string, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorXml(err, resource, requestId);
  res.writeHead(err.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
    'x-amz-id-2': hostId(requestId),
  });
  res.end(body);
}

/**
 * Streams the source's body to the client with backpressure; either side failing ends the other. (Lighter than
 * stream.pipeline, which builds an AbortController and its DOMException for every response.)
 */
export function pipeBody(body: Readable, res: ServerResponse): void {
  body.on('error', () => res.destroy());
  res.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
  body.pipe(res);
}
