import { invalidPolicy } from './post-errors.js';

/** A condition that compares one form field: exact match, or a prefix (`starts-with`). */
export interface MatchCondition {
  kind: 'eq' | 'starts-with';
  /** The field it names, lowercased and without its `$`; undefined when the policy left out the `$`, which never matches. */
  field: string | undefined;
  value: string;
  /** The condition as S3 prints it in a refusal: `["eq", "$key", "photos/a.jpg"]`, spelled as in the policy. */
  text: string;
}

/** `["content-length-range", min, max]`; a bound that is not a number makes the condition fail (as S3 does). */
export interface LengthCondition {
  kind: 'content-length-range';
  min: number;
  max: number;
  text: string;
}

export type PolicyCondition = MatchCondition | LengthCondition;

export interface PostPolicy {
  expiration: Date;
  conditions: PolicyCondition[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function printed(parts: unknown[]): string {
  return `[${parts.map((p) => JSON.stringify(p)).join(', ')}]`;
}

/** The document inside the base64 text; some encoders wrap lines, so whitespace is dropped first. */
function decodeDocument(policy: string): unknown {
  const compact = policy.replace(/[\t\n\r ]+/g, '');
  if (compact === '') throw invalidPolicy("Expecting '{' but found End-of-Input");
  if (!BASE64.test(compact) || compact.length % 4 === 1) throw invalidPolicy('invalid Base64 encoding.');
  try {
    return JSON.parse(utf8.decode(Buffer.from(compact, 'base64')));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
}

function parseExpiration(value: unknown): Date {
  const m = typeof value === 'string' ? ISO_UTC.exec(value) : null;
  const date = m ? new Date(value as string) : undefined;
  // Date accepts 2024-02-30 by rolling over: the calendar day must come back as written.
  if (!m || !date || Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(m[3])) {
    throw invalidPolicy(`Invalid 'expiration' value: '${String(value)}'`);
  }
  return date;
}

function matchCondition(kind: 'eq' | 'starts-with', name: string, value: string, text: string): MatchCondition {
  return { kind, field: name.startsWith('$') ? name.slice(1).toLowerCase() : undefined, value, text };
}

// S3 takes a numeric string as a bound; any other string is a condition no upload can meet.
function lengthBound(v: unknown): number {
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (typeof v !== 'number') throw invalidPolicy('Invalid JSON.');
  // S3 refuses fractions (`512.0` too, which JSON.parse cannot tell from 512) as invalid JSON.
  if (!Number.isInteger(v)) throw invalidPolicy('Invalid JSON.');
  if (v < 0) throw invalidPolicy('Invalid content-length-range: the bounds cannot be negative.');
  return v;
}

function parseListCondition(list: unknown[]): PolicyCondition {
  const op = list[0];
  if (typeof op !== 'string') throw invalidPolicy('Invalid Condition: missing operation identifier.');
  const kind = op.toLowerCase();
  if (kind !== 'eq' && kind !== 'starts-with' && kind !== 'content-length-range') {
    throw invalidPolicy(`Invalid Condition: unknown operation '${op}'.`);
  }
  if (list.length !== 3) throw invalidPolicy(`Invalid ${op}: wrong number of arguments.`);
  if (kind === 'content-length-range') {
    return { kind, min: lengthBound(list[1]), max: lengthBound(list[2]), text: printed(list) };
  }
  const [, name, value] = list;
  if (typeof name !== 'string' || typeof value !== 'string') throw invalidPolicy('Invalid JSON.');
  return matchCondition(kind, name, value, printed(list));
}

function parseSimpleCondition(object: Record<string, unknown>): PolicyCondition {
  const entries = Object.entries(object);
  if (entries.length !== 1) {
    throw invalidPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
  }
  const [name, value] = entries[0]!;
  if (value === null) throw invalidPolicy('Invalid JSON.');
  if (typeof value !== 'string') throw invalidPolicy('Invalid Simple-Condition: value must be a string.');
  // S3 prints a simple condition as the `eq` it stands for.
  return matchCondition('eq', `$${name}`, value, printed(['eq', `$${name}`, value]));
}

/**
 * Pure: reads a POST policy from the form's base64 `policy` field. Throws InvalidPolicyDocument with S3's
 * messages for a document it cannot use; whether the form meets the conditions is checked elsewhere.
 */
export function parsePostPolicy(policy: string): PostPolicy {
  const doc = decodeDocument(policy);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalidPolicy('Invalid JSON.');
  // The two member names are case-sensitive: `EXPIRATION` is an unexpected member, as to S3.
  for (const name of Object.keys(doc)) {
    if (name !== 'expiration' && name !== 'conditions') throw invalidPolicy(`Unexpected: '${name.toLowerCase()}'`);
  }
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  const expires = parseExpiration(expiration);
  if (conditions === undefined) throw invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw invalidPolicy("Invalid 'conditions' value: must be a List.");
  return {
    expiration: expires,
    conditions: conditions.map((c: unknown) => {
      if (Array.isArray(c)) return parseListCondition(c);
      if (c !== null && typeof c === 'object') return parseSimpleCondition(c as Record<string, unknown>);
      throw invalidPolicy('Invalid condition test: must be a List or Object.');
    }),
  };
}
