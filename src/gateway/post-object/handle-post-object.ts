import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { S3Error } from '../../errors/s3-error.js';
import type { Classified } from '../../s3/classify.js';
import { objectPath } from '../../s3/sign-request.js';
import { routeRequest } from '../failover/destination.js';
import { neverSent } from '../../s3/transport-error.js';
import type { IntentInput } from '../../journal/journal-store.js';
import type { GatewayContext, RequestRecord } from '../context.js';
import { responseHeaders } from '../forward-headers.js';
import { planIntents } from '../journal-plan.js';
import { collectOutcomes, leavesUncertain } from '../outcomes.js';
import { pipeBody } from '../respond.js';
import { objectLocation, postAnswer } from './post-answer.js';
import { checkFileSize } from './post-conditions.js';
import { putHeaders } from './put-headers.js';
import { readFormHead, type FormHead } from './read-form.js';
import { drainRefused } from './drain-refused.js';
import { spoolFile, type SpooledFile } from './spool-file.js';
import { verifyPostForm, type VerifiedPostForm } from './verify-post-form.js';
import { cancelOnClose } from '../client-gone.js';

/** What the request handler knows of a form upload when it hands it over. */
export interface PostObjectRequest {
  c: Classified;
  rec: RequestRecord;
  requestId: string;
  /** The client waits for `100 Continue`; a form can only be judged from its body, so it is sent at once. */
  expectContinue: boolean;
}

async function journalIntents(ctx: GatewayContext, intents: IntentInput[], requestId: string): Promise<number[]> {
  if (intents.length === 0) return [];
  const t0 = performance.now();
  try {
    const seqs = await ctx.journal.appendIntents(intents);
    ctx.onJournalAppend?.((performance.now() - t0) / 1000);
    return seqs;
  } catch (err) {
    ctx.log.error({ err: (err as Error).message, requestId }, 'journal unavailable; change refused');
    throw new S3Error('ServiceUnavailable', 'The journal cannot be written; the change was not forwarded.');
  }
}

/** Records intents as rejected when the source cannot have received the upload (no connection was made). */
async function refused(ctx: GatewayContext, seqs: number[], requestId: string): Promise<void> {
  if (seqs.length === 0) return;
  const error = 'ServiceUnavailable: the source region refused the connection';
  await ctx.journal.recordOutcomes(seqs.map((seq) => ({ seq, applied: false, status: 503, error }))).catch((err: unknown) => {
    // The intent stays; the shipper's intent sweep settles it from the source's state.
    ctx.log.error({ err: (err as Error).message, requestId }, 'journal outcome not recorded');
  });
}

/** Where clients reach the object through Ferry: the Host they used, path style unless they came virtual-hosted. */
function locationOf(ctx: GatewayContext, req: IncomingMessage, bucket: string, key: string): string {
  const host = req.headers.host ?? '127.0.0.1';
  const base = ctx.config.virtualHostBase?.toLowerCase();
  const virtualHosted = base !== undefined && host.replace(/:\d+$/, '').toLowerCase().endsWith(`.${base}`);
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return objectLocation(`${scheme}://${host}`, bucket, key, virtualHosted);
}

/** Reads and verifies the form, and spools its file: nothing reaches the journal or the source before this passes. */
async function admit(ctx: GatewayContext, form: FormHead, bucket: string): Promise<{ verified: VerifiedPostForm; file: SpooledFile }> {
  const verified = verifyPostForm({ bucket, fields: form.fields, filename: form.file?.filename },
    (id) => ctx.credentials.get(id), new Date(), ctx.config.anonymous);
  if (!form.file) {
    throw new S3Error('InvalidArgument', 'POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: '0' });
  }
  putHeaders(verified.values, 0); // refuses a malformed `tagging` before the file is read
  const file = await spoolFile(form.file.stream, verified.size.max);
  try {
    await form.rest;
    checkFileSize(verified.size, file.size);
  } catch (err) {
    await file.remove();
    throw err;
  }
  return { verified, file };
}

/**
 * A browser form upload (S3 POST Object): read the form with bounded memory, verify its policy and signature,
 * spool the file, journal the intent, forward it to the source as a PutObject re-signed by Ferry (unsigned for an
 * anonymous form), journal the outcome, answer as S3 does (204, 200, 201 with a PostResponse, or 303 to the
 * redirect). A refused form is answered by throwing its S3Error, and is never journaled or forwarded.
 */
export async function handlePostObject(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse,
  p: PostObjectRequest): Promise<void> {
  const { rec, requestId } = p;
  const bucket = p.c.bucket!;
  // Routed as any change: refused while the bucket's changes are paused or its source is down, sent to the target
  // bucket once the rule is failed over, and counted while in flight so a cutover waits for it.
  const { dest } = routeRequest(ctx, p.c, 'POST', res);
  if (p.expectContinue) res.writeContinue();
  let form: FormHead;
  try {
    form = await readFormHead(req);
  } catch (err) {
    await drainRefused(req);
    throw err;
  }
  let admitted: Awaited<ReturnType<typeof admit>>;
  try {
    admitted = await admit(ctx, form, bucket);
  } catch (err) {
    form.stop();
    await drainRefused(req);
    throw err;
  }
  const { verified, file } = admitted;
  const { key } = verified;
  let seqs: number[] = [];
  try {
    Object.assign(rec, { accessKeyId: verified.accessKeyId, key, bytesIn: file.size });
    const intents = planIntents({ ...p.c, key }, [key], ctx.rules,
      { accessKeyId: verified.accessKeyId, remoteAddr: req.socket.remoteAddress ?? '' });
    seqs = await journalIntents(ctx, intents, requestId);

    const gone = cancelOnClose(res);
    let up: Dispatcher.ResponseData;
    try {
      // An anonymous form goes unsigned: Ferry's region credentials never write for someone it has not authenticated.
      up = await dest.upstream.request('PUT', objectPath(dest.bucket ?? bucket, key), putHeaders(verified.values, file.size),
        file.open(), gone, verified.anonymous);
    } catch (err) {
      if (neverSent(err)) await refused(ctx, seqs, requestId);
      // Otherwise the change may or may not have reached the source: the shipper settles it by looking.
      else if (seqs.length) ctx.journal.markUncertain(seqs);
      seqs = [];
      if (gone.aborted) return;
      ctx.log.warn({ err: (err as Error).message, requestId }, 'source unreachable');
      throw new S3Error('ServiceUnavailable', 'The source region did not answer.');
    }
    if (seqs.length && leavesUncertain(up.statusCode)) {
      // As for any change: such a 5xx does not say whether the object was stored; the shipper looks.
      ctx.journal.markUncertain(seqs);
      seqs = [];
    }
    if (seqs.length) {
      // Journaled as the PutObject it is forwarded as, so the outcome carries the object's size.
      const { outcomes, uncertain } = collectOutcomes('PutObject', seqs, [key], up, undefined, false, file.size);
      if (uncertain.length) ctx.journal.markUncertain(uncertain);
      // Committed before the answer leaves; a failure here leaves the intent, which the shipper settles.
      await ctx.journal.recordOutcomes(outcomes).catch((err: unknown) => {
        ctx.log.error({ err: (err as Error).message, requestId }, 'journal outcome not recorded');
      });
      seqs = [];
    }
    rec.status = up.statusCode;
    // The spool goes before the answer does: a client (or a test) that stops the gateway once it has its answer must
    // not leave the file behind. The upload's own stream keeps its descriptor, so this is safe while it drains.
    await file.remove();
    if (up.statusCode < 200 || up.statusCode >= 300) {
      // The source refused the PutObject: its answer goes to the client unchanged.
      rec.bytesOut = Number(up.headers['content-length'] ?? 0);
      res.writeHead(up.statusCode, responseHeaders(up.headers));
      pipeBody(up.body, res);
      return;
    }
    await up.body.dump().catch(() => {});
    const etag = String(up.headers.etag ?? '');
    const answer = postAnswer(verified.values, { bucket, key, etag, location: locationOf(ctx, req, bucket, key) }, up.headers);
    rec.status = answer.status;
    rec.bytesOut = Buffer.byteLength(answer.body);
    res.writeHead(answer.status, { ...answer.headers, 'x-amz-request-id': String(up.headers['x-amz-request-id'] ?? requestId) });
    res.end(answer.body);
  } catch (err) {
    if (seqs.length) ctx.journal.markUncertain(seqs);
    throw err;
  } finally {
    await file.remove();
  }
}
