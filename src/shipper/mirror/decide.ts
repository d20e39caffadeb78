import { beats, type Stamp } from '../../s3/replica-marker.js';
import type { ObjectState } from '../object-state.js';

/** The newest change of a key this side's journal holds: a delete or not, and when it was acknowledged. */
export interface LocalChange {
  deleted: boolean;
  at: number;
}

/**
 * What a mirror rule's shipper does with one key, shipping from `here` to `there`:
 * - `copy`: make there's copy equal here's object (with a marker naming here and the object's stamp);
 * - `pull`: there's object wins: make here's copy equal it (there's shipper may have nothing left to ship);
 * - `delete-there`: remove there's object;
 * - `delete-both`: here holds an older copy from there that landed after this side's own newer delete: the
 *   delete wins on both sides;
 * - `nothing`: here already holds there's change.
 * A copy here of there's change, with a copy there of here's change, is the trace of two copies that crossed: the
 * later of the two changes is copied to the side that lacks it.
 */
export type MirrorAction = { do: 'copy' | 'delete-there' | 'delete-both' } | { do: 'pull' | 'nothing'; why: string };

/** Pure: when an object's change was made, and where: its marker's for a copy, its own Last-Modified otherwise. */
export function stampOf(o: ObjectState, region: string): Stamp {
  return o.replicaOf ?? { region, ms: o.lastModified ?? 0 };
}

/**
 * Pure: a local change's stamp: the millisecond its gateway acknowledged it. Only a delete's is compared (a write's
 * stamp is its object's Last-Modified, which both sides can see), against an object's Last-Modified, which counts
 * whole seconds: within the second a write was stored, a later delete wins.
 */
export function changeStamp(c: LocalChange, region: string): Stamp {
  return { region, ms: c.at };
}

/**
 * Pure: the rule both sides of an active-active pair apply, so they settle on one winner for every key: the last
 * change by its stamp wins (ties: the region whose name sorts first); a copy is never shipped back to where it
 * came from; a side's own copy of an object that is gone there is removed.
 */
export function decideMirror(here: string, there: string, s: ObjectState | null, d: ObjectState | null, change: LocalChange | undefined): MirrorAction {
  if (s) {
    if (s.replicaOf?.region === there) {
      if (change?.deleted && beats(changeStamp(change, here), s.replicaOf)) return { do: 'delete-both' };
      // Two copies crossed: each side holds the other's, so neither holds its own change any more. The later
      // change goes to the side without it, whichever side decides.
      if (d?.replicaOf?.region === here) {
        return beats(d.replicaOf, s.replicaOf) ? { do: 'pull', why: `${there} holds ${here}'s later change` } : { do: 'copy' };
      }
      return { do: 'nothing', why: `the object here is ${there}'s change` };
    }
    if (!d || d.replicaOf?.region === here) return { do: 'copy' };
    if (beats(stampOf(d, there), stampOf(s, here))) return { do: 'pull', why: `a later change made in ${there} wins` };
    return { do: 'copy' };
  }
  if (!d) return { do: 'nothing', why: 'absent on both sides' };
  if (d.replicaOf?.region === here) return { do: 'delete-there' };
  if (change?.deleted && beats(changeStamp(change, here), stampOf(d, there))) return { do: 'delete-there' };
  return { do: 'pull', why: `a later change made in ${there} wins` };
}
