import type { RequestHeaders } from '../types.js';
import { trimWire, wireBytes } from './wire-bytes.js';

// Node joins the repeats of a header it does not know with ', '; S3 joins the values with ',' alone.
const HAS_NODE_JOIN = /,[ \t]+/;
const NODE_JOINS = /,[ \t]+/g;

function block(values: Map<string, string>, rewrite: (value: string) => string): Buffer {
  const names = [...values.keys()].sort();
  return Buffer.concat(names.flatMap((name) => [
    Buffer.from(`${name}:`, 'latin1'), wireBytes(rewrite(values.get(name)!)), Buffer.from('\n'),
  ]));
}

/**
 * The CanonicalizedAmzHeaders forms worth trying, best first: every x-amz-* header, lowercased, sorted by
 * name, as `name:value\n`, values trimmed and repeats joined with ','. Node has already joined the repeats
 * of most headers into one string with ', ', which cannot be told from a value that held ', ' itself, so
 * when a value holds ', ' the form with those joins undone is tried second.
 */
export function canonicalAmzHeaderCandidates(headers: RequestHeaders): Buffer[] {
  const values = new Map<string, string>();
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (!name.startsWith('x-amz-') || value === undefined) continue;
    const text = Array.isArray(value) ? value.map(trimWire).join(',') : trimWire(value);
    const before = values.get(name);
    values.set(name, before === undefined ? text : `${before},${text}`);
  }
  const first = block(values, (v) => v);
  if (![...values.values()].some((v) => HAS_NODE_JOIN.test(v))) return [first];
  return [first, block(values, (v) => v.replace(NODE_JOINS, ','))];
}
