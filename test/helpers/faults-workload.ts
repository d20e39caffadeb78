// The mixed client workload of the fault suites: puts, overwrites, deletes, multi-deletes, multipart uploads and
// copies over a fixed key space from concurrent SDK clients, recording every change that was acknowledged (2xx).
import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  DeleteObjectsCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CLIENT_KEY, CLIENT_SECRET } from './world.js';
import { sleep } from './faults-world.js';

/** One change the gateway answered with a 2xx: the journal must hold a row for each of its keys. */
export interface Ack {
  op: string;
  keys: string[];
  /** When the client first sent it (retries included) and when the 2xx arrived, by this machine's clock. */
  sentAt: number;
  ackAt: number;
}

export interface WorkloadOptions {
  endpoint: string;
  bucket: string;
  keys: number;
  clients: number;
  random: () => number;
  /** Retry connection errors and 5xx answers with capped backoff, as the AWS SDKs' standard mode does. */
  retry: boolean;
  /** Checked before each operation; the workload ends when it returns true. */
  done: () => boolean;
  /** Pause between one client's operations. */
  pauseMs?: number;
  /** One multipart upload in this many has a 5 MiB first part (the others have one small part). */
  bigMultipartEvery?: number;
  /** Copies read from these keys (which the workload never deletes) instead of from the key space. */
  copyFrom?: string[];
  /** Keys are PREFIX + a number (`k/` when absent): workloads run side by side on their own keys. */
  prefix?: string;
  /** Tag one PutObject in this many (S3 `Tagging`), so replicas are compared on their tags too. */
  tagEvery?: number;
}

export interface WorkloadResult {
  acks: Ack[];
  /** Final (after retries) errors by S3 error name or network code. */
  errors: Record<string, number>;
  /** The final error of each request that failed (after retries), with the operation that failed. */
  failures: Failure[];
  requests: number;
  retries: number;
}

/** A request the client finally saw fail: its S3 error name (or network code) and HTTP status. */
export interface Failure extends Ack {
  name: string;
  status?: number;
  message?: string;
  /** x-amz-request-id: Ferry sets one on the errors it answers itself; s3rver and the fault proxy do not. */
  requestId?: string;
}

type Status = { $metadata?: { httpStatusCode?: number; requestId?: string }; name?: string; code?: string };

/** Like the SDKs' standard mode: connection errors are retried (long enough to outlast a gateway restart), 5xx answers twice. */
function retryable(err: unknown, attempt: number): boolean {
  const status = (err as Status).$metadata?.httpStatusCode;
  return status === undefined ? attempt < 30 : status >= 500 && attempt < 2;
}

export function workloadClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint, region: 'cn-bj', forcePathStyle: true, maxAttempts: 1,
    credentials: { accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET },
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
  });
}

/** Runs the workload until `done()`; resolves with what was acknowledged and what failed. */
export async function runWorkload(o: WorkloadOptions): Promise<WorkloadResult> {
  const result: WorkloadResult = { acks: [], errors: {}, failures: [], requests: 0, retries: 0 };
  const rnd = o.random;
  const pickKey = () => `${o.prefix ?? 'k/'}${String(Math.floor(rnd() * o.keys)).padStart(3, '0')}`;
  let multiparts = 0;
  let puts = 0;

  const call = async <T>(client: S3Client, make: () => object): Promise<T> => {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      result.requests++;
      try {
        return (await client.send(make() as never)) as T;
      } catch (err) {
        if (!o.retry || !retryable(err, attempt) || Date.now() > deadline) throw err;
        result.retries++;
        await sleep(Math.min(1_000, 50 * 2 ** attempt) * (0.5 + rnd() / 2));
      }
    }
  };

  // The request in progress, so a failure names the S3 operation that failed and its keys.
  type Current = { op: string; keys: string[]; sentAt: number };
  const step = async <T>(client: S3Client, current: Current, op: string, keys: string[], make: () => object): Promise<T> => {
    Object.assign(current, { op, keys, sentAt: Date.now() });
    return call<T>(client, make);
  };

  // s3rver is not atomic: two writes of one key at once can leave the bytes of one and the ETag of the other,
  // which S3 never does. So no two clients touch a key at the same time (one after the other, they do).
  const busy = new Set<string>();
  const claim = (n: number): string[] => {
    const keys = new Set<string>();
    for (let tries = 0; keys.size < n && tries < 200; tries++) {
      const k = pickKey();
      if (!busy.has(k)) keys.add(k);
    }
    for (const k of keys) busy.add(k);
    return [...keys];
  };

  const one = async (client: S3Client, current: Current, claimed: string[]): Promise<void> => {
    const roll = rnd();
    claimed.push(...claim(roll >= 0.55 && roll < 0.65 ? 2 + Math.floor(rnd() * 5) : roll >= 0.8 && !o.copyFrom ? 2 : 1));
    if (claimed.length === 0) return;
    const ack = (op: string, keys: string[]) => result.acks.push({ op, keys, sentAt: current.sentAt, ackAt: Date.now() });
    const Bucket = o.bucket;
    if (roll < 0.4) {
      const Key = claimed[0]!;
      const Tagging = o.tagEvery !== undefined && ++puts % o.tagEvery === 0 ? `gen=${puts}&kind=workload` : undefined;
      await step(client, current, 'PutObject', [Key], () => new PutObjectCommand({ Bucket, Key, Body: randomBytes(Math.floor(rnd() * 20_000)),
        ContentType: rnd() < 0.5 ? 'application/octet-stream' : 'text/plain', Metadata: { gen: String(Date.now()) },
        Tagging }));
      ack('PutObject', [Key]);
    } else if (roll < 0.55) {
      const Key = claimed[0]!;
      await step(client, current, 'DeleteObject', [Key], () => new DeleteObjectCommand({ Bucket, Key }));
      ack('DeleteObject', [Key]);
    } else if (roll < 0.65) {
      const keys = claimed;
      await step(client, current, 'DeleteObjects', keys, () => new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
      ack('DeleteObjects', keys);
    } else if (roll < 0.8) {
      const Key = claimed[0]!;
      const big = o.bigMultipartEvery !== undefined && ++multiparts % o.bigMultipartEvery === 0;
      const parts = big ? [randomBytes(5 * 1024 * 1024), randomBytes(1000)] : [randomBytes(1 + Math.floor(rnd() * 30_000))];
      const created = await step<{ UploadId?: string }>(client, current, 'CreateMultipartUpload', [Key],
        () => new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'application/x-mp' }));
      const etags: Array<{ ETag?: string; PartNumber: number }> = [];
      for (const [i, Body] of parts.entries()) {
        const up = await step<{ ETag?: string }>(client, current, 'UploadPart', [Key],
          () => new UploadPartCommand({ Bucket, Key, UploadId: created.UploadId, PartNumber: i + 1, Body }));
        etags.push({ ETag: up.ETag, PartNumber: i + 1 });
      }
      await step(client, current, 'CompleteMultipartUpload', [Key],
        () => new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: created.UploadId, MultipartUpload: { Parts: etags } }));
      ack('CompleteMultipartUpload', [Key]);
    } else {
      if (!o.copyFrom && claimed.length < 2) return;
      const Key = claimed[0]!;
      const from = o.copyFrom ? o.copyFrom[Math.floor(rnd() * o.copyFrom.length)]! : claimed.at(-1)!;
      await step(client, current, 'CopyObject', [Key], () => new CopyObjectCommand({ Bucket, Key, CopySource: `${Bucket}/${from}` }));
      ack('CopyObject', [Key]);
    }
  };

  const worker = async () => {
    const client = workloadClient(o.endpoint);
    const current: Current = { op: '', keys: [], sentAt: 0 };
    try {
      while (!o.done()) {
        const claimed: string[] = [];
        try {
          await one(client, current, claimed);
        } catch (err) {
          const e = err as Status & { message?: string };
          const name = e.name ?? e.code ?? 'Error';
          result.errors[`${current.op} ${name}`] = (result.errors[`${current.op} ${name}`] ?? 0) + 1;
          result.failures.push({ op: current.op, keys: current.keys, sentAt: current.sentAt, ackAt: Date.now(), name,
            status: e.$metadata?.httpStatusCode, message: e.message, requestId: e.$metadata?.requestId });
        } finally {
          for (const k of claimed) busy.delete(k);
        }
        if (o.pauseMs) await sleep(o.pauseMs);
      }
    } finally {
      client.destroy();
    }
  };
  await Promise.all(Array.from({ length: o.clients }, worker));
  return result;
}

/** A journal row as the matching below needs it. */
export interface ChangeStamp {
  operation: string;
  key: string;
  created_at: number;
}

/**
 * The acknowledged changes that have no journal row: each (operation, key) of an ack must be matched to its own
 * row written between the first send and the 2xx. Intervals sorted by end, each takes the earliest free row in
 * it, which finds a complete matching whenever one exists.
 */
export function unjournaledAcks(acks: Ack[], rows: ChangeStamp[], slackMs = 5): Array<{ op: string; key: string; sentAt: number }> {
  const points = new Map<string, number[]>();
  for (const r of rows) {
    const id = `${r.operation}\u0000${r.key}`;
    if (!points.has(id)) points.set(id, []);
    points.get(id)!.push(r.created_at);
  }
  for (const list of points.values()) list.sort((a, b) => a - b);
  const used = new Map<string, boolean[]>();
  const missing: Array<{ op: string; key: string; sentAt: number }> = [];
  const wanted = acks.flatMap((a) => a.keys.map((key) => ({ op: a.op, key, from: a.sentAt - slackMs, to: a.ackAt + slackMs, sentAt: a.sentAt })))
    .sort((a, b) => a.to - b.to);
  for (const w of wanted) {
    const id = `${w.op}\u0000${w.key}`;
    const list = points.get(id) ?? [];
    if (!used.has(id)) used.set(id, list.map(() => false));
    const taken = used.get(id)!;
    const i = list.findIndex((p, j) => !taken[j] && p >= w.from && p <= w.to);
    if (i === -1) missing.push({ op: w.op, key: w.key, sentAt: w.sentAt });
    else taken[i] = true;
  }
  return missing;
}
