import type { ServerResponse } from 'node:http';
import { S3Error } from '../errors/s3-error.js';
import { errorXml } from '../s3/xml.js';

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
  });
  res.end(body);
}
