import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RuleConfig } from '../../config/types.js';
import { S3Error } from '../../errors/s3-error.js';
import type { Classified } from '../../s3/classify.js';
import { objectPath } from '../../s3/sign-request.js';
import type { JournalStore } from '../../journal/journal-store.js';
import { forwardHeaders, responseHeaders } from '../forward-headers.js';
import { pipeBody } from '../respond.js';
import { hostId } from '../request-id.js';
import type { GatewayContext, RequestRecord } from '../context.js';
import { renamedDocument } from './mapped-answer.js';
import { REPLICA_MARKER } from '../../s3/replica-marker.js';
import { cancelOnClose } from '../client-gone.js';

// Newest-change states that mean the replica does not hold the key's current state yet.
const NOT_SHIPPED = new Set(['intent', 'pending', 'failed']);

/**
 * Why the replica cannot answer this read truthfully, or undefined when it can: a key whose newest change has not
 * shipped (the replica holds an older copy, or none), or a listing with such a key under its prefix. Ferry does not
 * serve a stale copy as if it were current: the read answers 503, as S3 answers when it cannot serve.
 */
export async function replicaStaleness(journal: JournalStore, rule: RuleConfig, c: Classified, query: URLSearchParams): Promise<string | undefined> {
  try {
    if (c.key !== undefined) {
      const state = await journal.latestState(rule.id, rule.source, c.key);
      return state !== undefined && NOT_SHIPPED.has(state) ? `the newest change of this key has not reached the replica yet (${state})` : undefined;
    }
    const prefix = query.get('prefix') ?? '';
    if (rule.prefix !== undefined && !prefix.startsWith(rule.prefix)) return 'the listing covers keys this rule does not replicate';
    for (const state of ['pending', 'failed'] as const) {
      for await (const rows of journal.listChanges({ rule: rule.id, bucket: rule.source, prefix, state }, [], { limit: 1 })) {
        if (rows.length) return 'changes under this prefix have not reached the replica yet';
      }
    }
    return undefined;
  } catch {
    return 'the journal cannot say whether the replica is current';
  }
}

/**
 * Serves a read of the rule's bucket from its target bucket while the source region does not answer: the bucket
 * is renamed both ways, and object answers say `x-amz-replication-status: REPLICA`.
 */
export async function serveReplicaRead(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse,
  r: { c: Classified; rule: RuleConfig; rawQuery: string; rec: RequestRecord; requestId: string; anonymous: boolean }): Promise<void> {
  const { c, rule, rec } = r;
  const stale = await replicaStaleness(ctx.journal, rule, c, new URLSearchParams(r.rawQuery));
  if (stale) throw new S3Error('ServiceUnavailable', `The source region is not answering, and ${stale}.`);
  const method = req.method ?? 'GET';
  const path = objectPath(rule.target.bucket, c.key);
  const gone = cancelOnClose(res);
  let up;
  try {
    up = await ctx.upstreams.get(rule.target.region).request(method, r.rawQuery ? `${path}?${r.rawQuery}` : path,
      forwardHeaders(req.headers, { decoded: false }), null, gone, r.anonymous);
  } catch {
    throw new S3Error('ServiceUnavailable', 'Neither the source region nor the replica answered.');
  }
  const document = await renamedDocument(c, method, up, rule.target.bucket, rule.source);
  const answer = responseHeaders(up.headers);
  delete answer[REPLICA_MARKER];
  if (document) answer['content-length'] = String(document.length);
  answer['x-amz-request-id'] ??= r.requestId;
  answer['x-amz-id-2'] ??= hostId(r.requestId);
  if ((c.operation === 'GetObject' || c.operation === 'HeadObject') && up.statusCode < 300) answer['x-amz-replication-status'] = 'REPLICA';
  rec.status = up.statusCode;
  rec.servedBy = 'replica';
  rec.bytesOut = Number(up.headers['content-length'] ?? document?.length ?? 0);
  res.writeHead(up.statusCode, answer);
  if (document) res.end(document);
  else pipeBody(up.body, res);
}
