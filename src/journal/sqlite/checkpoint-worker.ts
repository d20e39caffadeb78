// A worker thread's entry: checkpoints the journal's WAL on a connection of its own, so the copy of pages into
// journal.db and the two fsyncs around it run beside the event loop instead of inside a commit. PASSIVE never
// waits for the writer: commits go on while a checkpoint runs.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointReply, CheckpointRequest } from './checkpoint-thread.js';
import { passiveCheckpoint } from './wal-checkpoint.js';

const { path } = workerData as { path: string };
const port = parentPort!;
const db = new Database(path, { fileMustExist: true });
// NORMAL: a checkpoint syncs the WAL before it copies and journal.db after, before the WAL may be overwritten.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 100');
// This connection never writes: it must never checkpoint at a commit of its own.
db.pragma('wal_autocheckpoint = 0');
port.postMessage('ready' satisfies CheckpointReply);

port.on('message', (msg: CheckpointRequest) => {
  if (msg === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: CheckpointReply;
  try {
    reply = passiveCheckpoint(db);
  } catch (err) {
    reply = { log: -1, checkpointed: -1, error: (err as Error).message };
  }
  port.postMessage(reply);
});
