// The rule both gateways of an active-active pair apply to each key, as a table: the same stamps give the same
// winner whichever side decides, a copy never goes back where it came from, and the winner reaches both sides.
import t from 'tap';
import { decideMirror, type LocalChange } from '../../src/shipper/mirror/decide.js';
import type { ObjectState } from '../../src/shipper/object-state.js';

const original = (etag: string, second: number): ObjectState => ({ etag, size: 1, metadata: {}, lastModified: second * 1000 });
const copyOf = (etag: string, region: string, second: number): ObjectState => ({ ...original(etag, second + 5), replicaOf: { region, ms: second * 1000 } });
const put = (second: number): LocalChange => ({ deleted: false, at: second * 1000 + 400 });
const del = (ms: number): LocalChange => ({ deleted: true, at: ms });

const rows: Array<[string, ObjectState | null, ObjectState | null, LocalChange | undefined, string]> = [
  ['a new write here, nothing there', original('"1"', 10), null, put(10), 'copy'],
  ['a write here over an older copy of it there', original('"2"', 20), copyOf('"1"', 'bj', 10), put(20), 'copy'],
  ['a write here, a later write there', original('"1"', 10), original('"2"', 11), put(10), 'pull'],
  ['a write here, an earlier write there', original('"2"', 11), original('"1"', 10), put(11), 'copy'],
  ['the same second on both sides: bj (sorts first) wins', original('"1"', 10), original('"2"', 10), put(10), 'copy'],
  ['here holds there\'s change', copyOf('"2"', 'sh', 11), original('"2"', 11), put(10), 'nothing'],
  ['deleted here; there holds my copy', null, copyOf('"1"', 'bj', 10), del(12_000), 'delete-there'],
  ['deleted here after an older write there', null, original('"1"', 10), del(10_600), 'delete-there'],
  ['deleted here before a later write there', null, original('"1"', 12), del(11_000), 'pull'],
  ['deleted here; an older copy from there landed late', copyOf('"1"', 'sh', 10), null, del(11_000), 'delete-both'],
  ['absent on both sides', null, null, del(1_000), 'nothing'],
  ['crossed copies, here\'s change the later: here takes it back', copyOf('"1"', 'sh', 10), copyOf('"2"', 'bj', 11), put(11), 'pull'],
  ['crossed copies, there\'s change the later: it goes back there', copyOf('"2"', 'sh', 12), copyOf('"1"', 'bj', 11), put(11), 'copy'],
];

t.test('decisions from bj to sh', async (t) => {
  for (const [what, here, there, change, want] of rows) t.equal(decideMirror('bj', 'sh', here, there, change).do, want, what);
});

t.test('both sides agree on which of two writes wins', async (t) => {
  for (const [a, b] of [[10, 11], [11, 10], [10, 10]] as const) {
    const bj = original('"bj"', a);
    const sh = original('"sh"', b);
    const fromBj = decideMirror('bj', 'sh', bj, sh, put(a)).do;
    const fromSh = decideMirror('sh', 'bj', sh, bj, put(b)).do;
    const winner = fromBj === 'copy' ? 'bj' : 'sh';
    t.equal(fromSh === 'copy' ? 'sh' : 'bj', winner, `seconds ${a} and ${b}: both pick ${winner}`);
  }
});

t.test('after two copies crossed, both sides carry the later change to the side without it', async (t) => {
  for (const [a, b] of [[10, 11], [11, 10], [10, 10]] as const) {
    // bj holds a copy of sh's change made at second b; sh holds a copy of bj's change made at second a.
    const atBj = copyOf('"sh"', 'sh', b);
    const atSh = copyOf('"bj"', 'bj', a);
    const fromBj = decideMirror('bj', 'sh', atBj, atSh, put(a)).do;
    const fromSh = decideMirror('sh', 'bj', atSh, atBj, put(b)).do;
    // The winner's change is held where it was copied to: the other side of the one it was made on.
    const winner = a >= b ? 'bj' : 'sh';
    const lacking = winner;
    // Which bucket each decision writes into: a copy writes there, a pull writes here.
    const into = (side: 'bj' | 'sh', what: string) => (what === 'copy' ? (side === 'bj' ? 'sh' : 'bj') : what === 'pull' ? side : 'none');
    t.same([into('bj', fromBj), into('sh', fromSh)], [lacking, lacking], `seconds ${a} and ${b}: ${winner}'s change goes back into ${lacking}`);
  }
});
