// The load generator: a process of its own (never the servers'), driven by the bench over IPC, one job at a time.
import { runOps, populate } from './ops.js';
import { runTransfer } from './transfer.js';
import { runLag } from './lag.js';
import { drain, keyPath, poolFor, s3Request } from './s3-request.js';
import type { Job } from './protocol.js';

async function runJob(job: Job): Promise<unknown> {
  switch (job.kind) {
    case 'ops': return runOps(job);
    case 'transfer': return runTransfer(job);
    case 'populate': return populate(job);
    case 'lag': return runLag(job);
    case 'createBucket': {
      const res = await s3Request(poolFor(job.target.endpoint, 4), job.target, 'PUT', keyPath(job.bucket));
      await drain(res.body);
      return { status: res.statusCode };
    }
    case 'count': {
      // ListObjectsV2, page by page.
      let objects = 0;
      let token: string | undefined;
      do {
        const query = `list-type=2&max-keys=1000${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`;
        const res = await s3Request(poolFor(job.target.endpoint, 4), job.target, 'GET', keyPath(job.bucket), { query });
        const text = await res.body.text();
        objects += (text.match(/<Key>/g) ?? []).length;
        token = /<IsTruncated>true<\/IsTruncated>/.test(text) ? /<NextContinuationToken>([^<]*)</.exec(text)?.[1] : undefined;
      } while (token);
      return { objects };
    }
  }
}

process.on('message', (msg: { id: number; job: Job }) => {
  runJob(msg.job).then(
    (result) => process.send!({ id: msg.id, result }),
    (err: Error) => process.send!({ id: msg.id, error: err.stack ?? err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
