import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, type Readable, type Transform } from 'node:stream';
import type { Dispatcher } from 'undici';
import { S3Error, toS3Error } from '../errors/s3-error.js';
import { classify, copySourceBucket, type Classified } from '../s3/classify.js';
import { objectPath } from '../s3/sign-request.js';
import { discard } from '../s3/s3-client.js';
import { authenticate, type AuthResult } from '../auth/authenticate.js';
import { stripAuthQuery } from '../auth/presign-query.js';
import { anonymousAuth, carriesNoSignature } from '../auth/anonymous.js';
import { bucketFromHost } from '../auth/sigv2/host-bucket.js';
import { readBounded } from '../util/read-bounded.js';
import { checkCompleteRequest, filterBucketList, parseDeleteRequest } from '../s3/xml.js';
import { forwardHeaders, responseHeaders } from './forward-headers.js';
import { planIntents } from './journal-plan.js';
import { collectOutcomes, leavesUncertain, needsResponseBody } from './outcomes.js';
import { neverSent } from '../s3/transport-error.js';
import { hasBody, openRequestBody } from './request-body.js';
import { pipeBody, sendError } from './respond.js';
import { hostId, nextRequestId } from './request-id.js';
import { replicationStatusOf } from './replication-status.js';
import { cancelOnClose } from './client-gone.js';
import { lingerOnClose } from './lingering-close.js';
import { handlePostObject } from './post-object/handle-post-object.js';
import { checkChange, checkKeys } from './check-change.js';
import { canReadReplica } from './failover/route.js';
import { routeRequest } from './failover/destination.js';
import { serveReplicaRead } from './failover/replica-read.js';
import { renamedDocument } from './failover/mapped-answer.js';
import { REPLICA_MARKER } from '../s3/replica-marker.js';
import { renameBucketInXml, renameCopySource } from './failover/rename-bucket.js';
import type { GatewayContext, RequestRecord } from './context.js';
import { queueKey } from '../journal/queue-key.js';

const XML_BODY_LIMIT = 2 * 1024 * 1024;
const RESPONSE_XML_LIMIT = 8 * 1024 * 1024;
const MAX_KEY_BYTES = 1024;

/** Checks what needs no network: the credential's bucket scope (copy sources included) and S3's key limits. */
function checkRequest(c: Classified, auth: AuthResult, ctx: GatewayContext, headers: IncomingMessage['headers']): void {
  const allowed = ctx.credentials.get(auth.accessKeyId)?.buckets;
  if (allowed && c.bucket !== undefined && !allowed.includes(c.bucket)) throw new S3Error('AccessDenied');
  if (allowed) {
    // Ferry reads the copy source with its own credentials: a scoped client must not copy out of other buckets.
    const copyFrom = copySourceBucket(headers);
    if (copyFrom !== undefined && !allowed.includes(copyFrom)) throw new S3Error('AccessDenied');
  }
  if (allowed && c.bucket === undefined && c.operation !== 'ListBuckets') throw new S3Error('AccessDenied');
  if (c.key !== undefined && Buffer.byteLength(c.key) > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError');
  if (c.key !== undefined && c.key.includes('\uFFFD')) throw new S3Error('InvalidArgument', 'Object key is not valid UTF-8');
  checkChange(c, ctx.rules, allowed !== undefined, headers);
}

/**
 * Authenticates the request, or admits it as anonymous when it carries no signature at all (forwarded unsigned,
 * for the source's ACLs and policies to judge), unless the configuration refuses anonymous requests. A CORS
 * preflight is always admitted: browsers never sign one, and it neither reads nor changes anything.
 */
function admit(ctx: GatewayContext, method: string, rawPath: string, rawQuery: string, headers: IncomingMessage['headers']): AuthResult {
  if (!carriesNoSignature(headers, rawQuery)) {
    return authenticate({ method, rawPath, rawQuery, headers, virtualHostBucket: bucketFromHost(headers, ctx.config.virtualHostBase) },
      (id) => ctx.credentials.get(id), new Date());
  }
  if (ctx.config.anonymous === 'refuse' && method !== 'OPTIONS') throw new S3Error('AccessDenied');
  return anonymousAuth(headers);
}

/** Records as rejected the intents of a request the source never received whole (refused, cut short, no connection). */
async function recordRefused(ctx: GatewayContext, seqs: number[], bodyError: unknown, requestId: string): Promise<void> {
  if (seqs.length === 0) return;
  const e = bodyError instanceof S3Error ? bodyError : undefined;
  const error = !e ? 'the client ended the request before its body'
    : e.code === 'ServiceUnavailable' ? `${e.code}: ${e.message}` : `${e.code}: refused by the gateway`;
  try {
    await ctx.journal.recordOutcomes(seqs.map((seq) => ({ seq, applied: false, status: e?.status ?? 499, error })));
  } catch (err) {
    // The intent stays; the shipper's intent sweep settles it from the source's state.
    ctx.log.error({ err: (err as Error).message, requestId }, 'journal outcome not recorded');
  }
}

/** The request handler: authenticate, classify, journal the intent, forward re-signed, journal the outcome, answer. */
export function createHandler(ctx: GatewayContext) {
  return async function handle(req: IncomingMessage, res: ServerResponse, expectContinue = false): Promise<void> {
    const started = performance.now();
    const requestId = nextRequestId();
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const rawPath = qi === -1 ? url : url.slice(0, qi);
    const rawQuery = qi === -1 ? '' : url.slice(qi + 1);
    const method = req.method ?? 'GET';
    const rec: RequestRecord = { operation: 'Unknown', status: 0, bytesIn: 0, bytesOut: 0, ms: 0, requestId };
    res.once('close', () => {
      rec.ms = performance.now() - started;
      if (rec.status === 0) rec.status = res.headersSent ? res.statusCode : 499;
      // The request line is built only when it is logged (the bench and most deployments log at warn).
      if (ctx.log.isLevelEnabled('info')) ctx.log.info({ op: rec.operation, bucket: rec.bucket, key: rec.key, status: rec.status, code: rec.code,
        bytesIn: rec.bytesIn, bytesOut: rec.bytesOut, ms: Math.round(rec.ms * 10) / 10, accessKeyId: rec.accessKeyId,
        servedBy: rec.servedBy, requestId }, 'request');
      ctx.onRequest?.(rec);
    });
    const fail = (err: unknown) => {
      const e = toS3Error(err);
      if (e.code === 'InternalError') ctx.log.error({ err, requestId }, 'internal error');
      rec.status = e.status;
      rec.code = e.code;
      if (hasBody(req) && !req.readableEnded) {
        res.setHeader('connection', 'close');
        // A form is still being read into its spool file: its handler drains or ends it itself.
        if (rec.operation !== 'PostObject') lingerOnClose(req.socket);
      }
      sendError(res, e, rawPath, requestId);
      req.resume();
    };

    let seqs: number[] = [];
    try {
      let c: Classified;
      try {
        c = classify({ method, rawPath, query: new URLSearchParams(rawQuery), headers: req.headers,
          virtualHostBase: ctx.config.virtualHostBase });
      } catch {
        throw new S3Error('InvalidURI');
      }
      Object.assign(rec, { operation: c.operation, bucket: c.bucket, key: c.key });
      // A form upload is signed inside its body (its policy), not in its headers.
      if (c.operation === 'PostObject') return await handlePostObject(ctx, req, res, { c, rec, requestId, expectContinue });
      const auth = admit(ctx, method, rawPath, rawQuery, req.headers);
      rec.accessKeyId = auth.accessKeyId;
      checkRequest(c, auth, ctx, req.headers);
      const query = auth.presigned ? stripAuthQuery(rawQuery) : rawQuery;
      const { rule, route, dest } = routeRequest(ctx, c, method, res);
      const replicaRead = () => serveReplicaRead(ctx, req, res, { c, rule: rule!, rawQuery: query, rec, requestId, anonymous: !!auth.anonymous });
      if (route.to === 'replica') return await replicaRead();
      if (expectContinue) res.writeContinue();

      const requestBody = await openRequestBody(req, auth);
      let body = requestBody.data;
      const decoded = requestBody.decoded;
      const remoteAddr = req.socket.remoteAddress ?? '';
      let keys = c.key === undefined ? [] : [c.key];
      let quiet = false;
      const covered = c.changesObject && c.bucket !== undefined && ctx.rules.forBucket(c.bucket) !== undefined;
      // A multi-delete's keys are read whatever the bucket: its keys must pass the same checks as a path's.
      if (body && (c.operation === 'DeleteObjects' || (covered && c.operation === 'CompleteMultipartUpload'))) {
        if (!Buffer.isBuffer(body)) body = await readBounded(body, XML_BODY_LIMIT);
        if (c.operation === 'DeleteObjects') {
          ({ keys, quiet } = parseDeleteRequest(body.toString('utf8')));
          checkKeys(keys, ctx.credentials.get(auth.accessKeyId)?.buckets !== undefined);
        } else checkCompleteRequest(body.toString('utf8'));
      }
      const intents = planIntents(c, keys, ctx.rules, { accessKeyId: auth.accessKeyId, remoteAddr });
      if (intents.length > 0) {
        const t0 = performance.now();
        try {
          seqs = await ctx.journal.appendIntents(intents);
        } catch (err) {
          ctx.log.error({ err: (err as Error).message, requestId }, 'journal unavailable; change refused');
          throw new S3Error('ServiceUnavailable', 'The journal cannot be written; the change was not forwarded.');
        }
        ctx.onJournalAppend?.((performance.now() - t0) / 1000);
      }

      const length = Buffer.isBuffer(body) ? body.length
        : decoded ? Number(req.headers['x-amz-decoded-content-length']) : undefined;
      const headers = forwardHeaders(req.headers, { decoded, length: Number.isFinite(length) ? length : undefined });
      const copyFrom = headers['x-amz-copy-source'] === undefined ? undefined : ctx.rules.forBucket(copySourceBucket(req.headers) ?? '');
      if (copyFrom?.primary === 'target') {
        // A copy out of a cut-over bucket reads its target bucket, the one that holds its current objects.
        headers['x-amz-copy-source'] = renameCopySource(headers['x-amz-copy-source']!, copyFrom.source, copyFrom.target.bucket);
      }
      const path = dest.bucket === undefined ? '/' : objectPath(dest.bucket, c.key);
      const gone = cancelOnClose(res);
      rec.bytesIn = length ?? Number(req.headers['content-length'] ?? 0);

      let up: Dispatcher.ResponseData;
      try {
        up = await dest.upstream.request(method, query ? `${path}?${query}` : path, headers, body, gone, auth.anonymous);
      } catch (err) {
        const bodyError = requestBody.failure;
        if (bodyError !== undefined) {
          // The source never received the whole body (a verifying decoder holds back its last bytes until
          // the body has verified), so it cannot have applied the change: the intent is rejected, not uncertain.
          await recordRefused(ctx, seqs, bodyError, requestId);
          seqs = [];
          throw bodyError;
        }
        if (route.to === 'source' && !gone.aborted) {
          ctx.sourceHealth.unanswered((err as Error).message);
          // A read the replica may serve is served from it at once: the source's loss fails no read of a shipped key.
          if (seqs.length === 0 && !hasBody(req) && canReadReplica(c, rule)) return await replicaRead();
        }
        if (neverSent(err)) {
          // No connection was made, so the source cannot have applied the change: rejected, not uncertain.
          await recordRefused(ctx, seqs, new S3Error('ServiceUnavailable', 'the source region refused the connection'), requestId);
        } else if (seqs.length) {
          // The change may or may not have reached the source: the shipper settles it by looking.
          ctx.journal.markUncertain(seqs);
        }
        seqs = [];
        if (gone.aborted) return;
        ctx.log.warn({ err: (err as Error).message, requestId }, 'source unreachable');
        throw new S3Error('ServiceUnavailable', 'The source region did not answer.');
      }

      if (route.to === 'source') ctx.sourceHealth.answered();
      let buffered: Buffer | undefined;
      if (seqs.length && leavesUncertain(up.statusCode)) {
        ctx.journal.markUncertain(seqs);
        seqs = [];
      }
      if (seqs.length) {
        if (c.operation === 'PutObject' && up.statusCode === 200 && Buffer.isBuffer(body) && route.to === 'source'
          && ctx.recentPuts && rule && !rule.mirror) {
          // The shipper copies these bytes without asking the source for them again.
          const etag = up.headers.etag;
          ctx.recentPuts.remember(queueKey(intents[0]!), seqs[0]!, typeof etag === 'string' ? etag : undefined, body, headers);
        }
        if (needsResponseBody(c.operation, up.statusCode)) {
          buffered = await readBounded(up.body, RESPONSE_XML_LIMIT).catch((err: unknown) => { discard(up.body); throw err; });
        }
        const { outcomes, uncertain } = collectOutcomes(c.operation, seqs, intents.map((i) => i.key), up, buffered, quiet,
          decoded ? length : Number(req.headers['content-length'] ?? 0));
        if (uncertain.length) ctx.journal.markUncertain(uncertain);
        // The outcome is committed before the answer leaves (it survives a crash of the process); it needs no
        // sync of its own, since the intent already made the change durable: lost in a power cut, it leaves the
        // intent, which the shipper settles from the source's state. A journal that fails here does not undo a
        // change the source made: the answer goes out and the intent sweep settles the key.
        await ctx.journal.recordOutcomes(outcomes).catch((err: unknown) => {
          ctx.log.error({ err: (err as Error).message, requestId }, 'journal outcome not recorded');
        });
        seqs = [];
      }
      const scope = ctx.credentials.get(auth.accessKeyId)?.buckets;
      if (c.operation === 'ListBuckets' && scope && up.statusCode === 200) {
        // A credential limited to some buckets sees only those: the source lists every bucket of its own account.
        const list = await readBounded(up.body, RESPONSE_XML_LIMIT).catch((err: unknown) => { discard(up.body); throw err; });
        buffered = Buffer.from(filterBucketList(list.toString('utf8'), scope));
      }
      if (dest.bucket !== c.bucket && c.bucket !== undefined && dest.bucket !== undefined) {
        // Served by the target bucket: documents name the client's bucket, as if its own region had answered.
        buffered = buffered ? Buffer.from(renameBucketInXml(buffered.toString('utf8'), dest.bucket, c.bucket))
          : await renamedDocument(c, method, up, dest.bucket, c.bucket);
        rec.servedBy = 'target';
      }
      rec.status = up.statusCode;
      rec.bytesOut = Number(up.headers['content-length'] ?? buffered?.length ?? 0);
      const answer = responseHeaders(up.headers);
      delete answer[REPLICA_MARKER];
      if (buffered) answer['content-length'] = String(buffered.length);
      // Every answer names a request id a client can quote; the source's when it sent one, Ferry's (logged) if not.
      answer['x-amz-request-id'] ??= requestId;
      answer['x-amz-id-2'] ??= hostId(requestId);
      if ((c.operation === 'HeadObject' || c.operation === 'GetObject') && up.statusCode < 300) {
        const status = await replicationStatusOf(ctx, c);
        if (status) answer['x-amz-replication-status'] = status;
      }
      res.writeHead(up.statusCode, answer);
      if (buffered) res.end(buffered);
      else pipeBody(up.body, res);
    } catch (err) {
      if (seqs.length) ctx.journal.markUncertain(seqs);
      if (!(err instanceof S3Error) && req.destroyed && !req.complete) {
        rec.status = 499; // the client went away mid-body: nobody to answer
        return;
      }
      fail(err);
    }
  };
}
