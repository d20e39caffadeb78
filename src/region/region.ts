import type { Readable } from 'node:stream';
import type { ObjectState, TagSet } from '../shipper/object-state.js';
import type { ListedObject } from '../ops/sorted-diff.js';

/** One page of a bucket listing, in the region's order. */
export interface ListPage {
  objects: ListedObject[];
  /** The continuation token of the next page; undefined on the last. */
  next?: string;
}

export interface ListOptions {
  prefix?: string;
  startAfter?: string;
  continuationToken?: string;
  pageSize?: number;
  signal?: AbortSignal;
}

/** A body to write, with what S3 checks it against. */
export interface PutInput {
  body: Readable | Buffer;
  length: number;
  /** Hex MD5 of the bytes, sent as Content-MD5 so the region refuses anything else. */
  md5?: string;
  /** System metadata and `x-amz-meta-*` headers, as ObjectState holds them. */
  metadata: Record<string, string>;
  /** Tags to store with the object (x-amz-tagging); a region may ignore them (see RegionTraits). */
  tags?: TagSet;
}

export interface PartRef {
  partNumber: number;
  etag: string;
}

export interface UploadRef {
  key: string;
  uploadId: string;
  /** When the upload was created, as the region reports it. */
  initiated?: Date;
}

/**
 * An S3 endpoint as Ferry uses one, for a region's side of a rule: the few verbs shipping, verify, resync and
 * readiness need. Every failure comes back as a RegionError of a few kinds (not found, precondition failed,
 * unreachable, an S3 error with its code), so callers never see transport types. One contract test
 * (test/region/region-contract.test.ts) runs against every kind of server behind it.
 */
export interface Region {
  readonly name: string;
  /** The object's state, or null when it is absent. */
  head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectState | null>;
  /**
   * The object's bytes (or a range of them) if it still has `ifMatch`'s ETag; precondition-failed otherwise;
   * not-found when it is absent. `state` is the object's, read from the same answer as the bytes.
   */
  get(bucket: string, key: string, opts: { ifMatch?: string; range?: string; signal?: AbortSignal }): Promise<{ etag: string; state: ObjectState; body: Readable }>;
  put(bucket: string, key: string, input: PutInput, signal?: AbortSignal): Promise<{ etag?: string }>;
  /** Deletes the key; a key that is not there is no error. */
  delete(bucket: string, key: string, signal?: AbortSignal): Promise<void>;
  /** The object's tags; none when the object has none (or is absent). */
  getTags(bucket: string, key: string, signal?: AbortSignal): Promise<TagSet>;
  putTags(bucket: string, key: string, tags: TagSet, signal?: AbortSignal): Promise<void>;
  createMultipart(bucket: string, key: string, metadata: Record<string, string>, signal?: AbortSignal): Promise<string>;
  /** Uploads one part (with its Content-MD5); resolves with the part's ETag. */
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, part: Buffer, signal?: AbortSignal): Promise<string>;
  completeMultipart(bucket: string, key: string, uploadId: string, parts: PartRef[], signal?: AbortSignal): Promise<void>;
  /** Aborts an upload; one that is already gone is no error. */
  abortMultipart(bucket: string, key: string, uploadId: string): Promise<void>;
  listMultipartUploads(bucket: string, prefix?: string): Promise<UploadRef[]>;
  listParts(bucket: string, key: string, uploadId: string): Promise<Array<PartRef & { size: number }>>;
  list(bucket: string, opts?: ListOptions): Promise<ListPage>;
  /** Whether the bucket exists. */
  headBucket(bucket: string, signal?: AbortSignal): Promise<boolean>;
  /** Resolves when the region answers at all (any S3 answer, an error included); unreachable otherwise. */
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
