import { formatMarker, REPLICA_MARKER } from '../../s3/replica-marker.js';
import { replicateKey, SourceChangedError, type CopyResult, type CopyTarget } from '../copy-object.js';
import { beats } from '../../s3/replica-marker.js';
import { changeStamp, decideMirror, stampOf, type LocalChange } from './decide.js';

/** A mirror rule's copy of one key: which side wins, then the copy or delete that makes both sides agree. */
export interface MirroredResult extends CopyResult {
  /** Why nothing was shipped: the other side's state wins. */
  superseded?: string;
}

/**
 * Ships one key of a mirror rule (active-active: the target bucket ships into this one too). Both shippers apply
 * the same rule (decideMirror) to the same stamps, so they converge on one winner; every step ends with a look at
 * this side, and a side that moved meanwhile ships again.
 */
export async function replicateMirrored(t: CopyTarget, key: string, change: LocalChange | undefined): Promise<MirroredResult> {
  const here = t.source.name;
  const there = t.target.name;
  const [s, d] = await Promise.all([t.source.head(t.sourceBucket, key, t.signal), t.target.head(t.targetBucket, key, t.signal)]);
  const action = decideMirror(here, there, s, d, change);
  switch (action.do) {
    case 'nothing':
      return { result: s ? 'shipped' : 'deleted', targetEtag: d?.etag ?? null, bytes: 0, changed: false, superseded: action.why };
    case 'copy':
      return replicateKey({ ...t, sourceState: s!, marker: { [REPLICA_MARKER]: formatMarker(stampOf(s!, here)) } }, key);
    case 'pull': {
      // The other side's object wins: this side takes it (marked as its copy), so both agree even when the other
      // side's shipper has nothing left to ship. Nothing crosses to the other side.
      const pulled = await replicateKey({ ...t, source: t.target, target: t.source, sourceBucket: t.targetBucket,
        targetBucket: t.sourceBucket, sourceState: d!, marker: { [REPLICA_MARKER]: formatMarker(stampOf(d!, there)) } }, key);
      return { result: 'shipped', targetEtag: d!.etag, bytes: pulled.bytes, changed: false, superseded: action.why };
    }
    case 'delete-there':
      await t.target.delete(t.targetBucket, key, t.signal);
      break;
    case 'delete-both': {
      const now = await t.source.head(t.sourceBucket, key, t.signal);
      if (!now || now.etag !== s!.etag) throw new SourceChangedError(key);
      await t.source.delete(t.sourceBucket, key, t.signal);
      if (d && (d.replicaOf?.region === here || !beats(stampOf(d, there), changeStamp(change!, here)))) {
        await t.target.delete(t.targetBucket, key, t.signal);
      }
      break;
    }
  }
  // The last look: if something landed here meanwhile (the other side's copy), the key ships again.
  if (await t.source.head(t.sourceBucket, key, t.signal)) throw new SourceChangedError(key);
  return { result: 'deleted', targetEtag: null, bytes: 0, changed: true };
}
