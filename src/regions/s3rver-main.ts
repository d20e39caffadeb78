/**
 * Child-process entry that runs one s3rver "region" and prints its address as one JSON line.
 * Run with `node --openssl-legacy-provider` (s3rver's listing tokens use DES).
 */
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';
// @ts-expect-error s3rver ships no type declarations
import AWSAccount from 's3rver/lib/models/account.js';

const [dir, portArg, ...buckets] = process.argv.slice(2);
// Credentials besides S3RVER:S3RVER (`id:secret,...`), so a test can give a region a secret of its own.
for (const pair of (process.env.FERRY_S3RVER_KEYS ?? '').split(',').filter(Boolean)) {
  const i = pair.indexOf(':');
  (AWSAccount as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } }).DUMMY_ACCOUNT.createKeyPair(pair.slice(0, i), pair.slice(i + 1));
}
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(portArg ?? 0),
  directory: dir,
  silent: true,
  configureBuckets: buckets.map((name) => ({ name })),
});
const address = (await server.run()) as { port: number };
process.stdout.write(JSON.stringify({ endpoint: `http://127.0.0.1:${address.port}` }) + '\n');
const stop = () => server.close().then(() => process.exit(0), () => process.exit(1));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent holds this pipe open while it lives: a parent killed outright (SIGKILL, a test runner's timeout) closes
// it, and the region goes with it instead of holding its port.
process.stdin.once('end', stop);
process.stdin.resume();
