import { createHash } from 'node:crypto';
import type { RegionConfig } from '../config/types.js';
import { RegionClient, discard, header, type RequestOptions, type S3Response } from '../s3/s3-client.js';
import { objectState, parseTagging, taggingXml, type ObjectState, type TagSet } from '../shipper/object-state.js';
import { RegionError, toRegionError } from './region-error.js';
import { traitsOf } from './region-traits.js';
import { encodeQuery, parseListPage } from './list-page.js';
import { completeMultipartXml, parseParts, parseUploadId, parseUploads } from './multipart-xml.js';
import type { ListOptions, ListPage, PartRef, PutInput, Region, UploadRef } from './region.js';

const base64Md5 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** The Region port over S3's REST API, signed for the region with SigV4 (RegionClient is the transport). */
export class S3Region implements Region {
  private readonly http: RegionClient;

  constructor(readonly name: string, config: RegionConfig, opts: { connections?: number; timeoutMs?: number } = {}) {
    this.http = new RegionClient(name, config, opts);
    // What the operator says of the service stands in for what its answers would show (see RegionConfig.countsTags).
    if (config.countsTags !== undefined) traitsOf(this).countsTags = config.countsTags;
  }

  /** Sends, folding every failure into a RegionError. */
  private async send(o: RequestOptions): Promise<S3Response> {
    try {
      return await this.http.send(o);
    } catch (err) {
      throw toRegionError(err, o.op);
    }
  }

  private async text(o: RequestOptions): Promise<{ status: number; text: string }> {
    // The transport reads the answer; a failure while reading it is folded like any other.
    try {
      return await this.http.sendText(o);
    } catch (err) {
      throw toRegionError(err, o.op);
    }
  }

  private async done(o: RequestOptions): Promise<S3Response> {
    const res = await this.send(o);
    res.body.resume();
    return res;
  }

  async head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectState | null> {
    const res = await this.done({ op: 'HeadObject', method: 'HEAD', bucket, key, accept: [404], signal });
    return res.status === 404 ? null : objectState(res.headers);
  }

  async get(bucket: string, key: string, opts: { ifMatch?: string; range?: string; signal?: AbortSignal }) {
    const headers: Record<string, string> = {};
    if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
    if (opts.range !== undefined) headers.range = opts.range;
    const res = await this.send({ op: 'GetObject', method: 'GET', bucket, key, headers, accept: [404, 412], signal: opts.signal });
    if (res.status === 404 || res.status === 412) {
      discard(res.body);
      throw new RegionError(res.status === 404 ? 'not-found' : 'precondition-failed', 'GetObject', `${bucket}/${key}: ${res.status}`, res.status);
    }
    const etag = header(res.headers, 'etag') ?? '';
    if (opts.ifMatch !== undefined && etag !== opts.ifMatch) {
      // NOTE: s3rver ignores If-Match on GET; the precondition is held here as S3 holds it.
      discard(res.body);
      throw new RegionError('precondition-failed', 'GetObject', `${bucket}/${key}: ETag ${etag} is not ${opts.ifMatch}`, 412);
    }
    return { etag, state: objectState(res.headers), body: res.body };
  }

  async put(bucket: string, key: string, input: PutInput, signal?: AbortSignal): Promise<{ etag?: string }> {
    const headers: Record<string, string> = { ...input.metadata, 'content-length': String(input.length) };
    if (input.md5) headers['content-md5'] = base64Md5(input.md5);
    if (input.tags?.length) headers['x-amz-tagging'] = encodeQuery(Object.fromEntries(input.tags.map((t) => [t.Key, t.Value])));
    const res = await this.done({ op: 'PutObject', method: 'PUT', bucket, key, headers, body: input.body, signal });
    return { etag: header(res.headers, 'etag') };
  }

  async delete(bucket: string, key: string, signal?: AbortSignal): Promise<void> {
    await this.done({ op: 'DeleteObject', method: 'DELETE', bucket, key, accept: [404], signal });
  }

  async getTags(bucket: string, key: string, signal?: AbortSignal): Promise<TagSet> {
    const res = await this.text({ op: 'GetObjectTagging', method: 'GET', bucket, key, query: 'tagging', accept: [404], signal });
    return res.status === 404 ? [] : parseTagging(res.text);
  }

  async putTags(bucket: string, key: string, tags: TagSet, signal?: AbortSignal): Promise<void> {
    const body = taggingXml(tags);
    await this.done({ op: 'PutObjectTagging', method: 'PUT', bucket, key, query: 'tagging', body, signal,
      headers: { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64') } });
  }

  async createMultipart(bucket: string, key: string, metadata: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const res = await this.text({ op: 'CreateMultipartUpload', method: 'POST', bucket, key, query: 'uploads', headers: { ...metadata }, signal });
    const uploadId = parseUploadId(res.text);
    if (!uploadId) throw new RegionError('s3', 'CreateMultipartUpload', 'the answer names no UploadId', res.status);
    return uploadId;
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, part: Buffer, signal?: AbortSignal): Promise<string> {
    const res = await this.done({ op: 'UploadPart', method: 'PUT', bucket, key, signal,
      query: `partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`,
      headers: { 'content-length': String(part.length), 'content-md5': createHash('md5').update(part).digest('base64') }, body: part });
    return header(res.headers, 'etag') ?? '';
  }

  async completeMultipart(bucket: string, key: string, uploadId: string, parts: PartRef[], signal?: AbortSignal): Promise<void> {
    // A 200 answer may still carry an <Error> document (S3 reports late failures so).
    const res = await this.text({ op: 'CompleteMultipartUpload', method: 'POST', bucket, key, query: `uploadId=${encodeURIComponent(uploadId)}`,
      headers: { 'content-type': 'application/xml' }, body: completeMultipartXml(parts), signal });
    if (res.text.includes('<Error>')) throw new RegionError('s3', 'CompleteMultipartUpload', res.text.slice(0, 200), res.status);
  }

  async abortMultipart(bucket: string, key: string, uploadId: string): Promise<void> {
    // NOTE: s3rver has no AbortMultipartUpload (405/501); RGW 16.2 answers NoSuchKey for an upload already gone.
    await this.done({ op: 'AbortMultipartUpload', method: 'DELETE', bucket, key, query: `uploadId=${encodeURIComponent(uploadId)}`,
      accept: [404, 405, 501] });
  }

  async listMultipartUploads(bucket: string, prefix?: string): Promise<UploadRef[]> {
    const query = prefix ? `prefix=${encodeURIComponent(prefix)}&uploads=` : 'uploads=';
    return parseUploads((await this.text({ op: 'ListMultipartUploads', method: 'GET', bucket, query })).text);
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<Array<PartRef & { size: number }>> {
    return parseParts((await this.text({ op: 'ListParts', method: 'GET', bucket, key, query: `uploadId=${encodeURIComponent(uploadId)}` })).text);
  }

  async list(bucket: string, opts: ListOptions = {}): Promise<ListPage> {
    const query = encodeQuery({
      'encoding-type': 'url', 'list-type': '2', 'max-keys': String(opts.pageSize ?? 1000), prefix: opts.prefix || undefined,
      'start-after': opts.continuationToken === undefined ? opts.startAfter || undefined : undefined,
      'continuation-token': opts.continuationToken,
    });
    return parseListPage((await this.text({ op: 'ListObjectsV2', method: 'GET', bucket, query, signal: opts.signal })).text);
  }

  async headBucket(bucket: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.done({ op: 'HeadBucket', method: 'HEAD', bucket, accept: [404], signal })).status !== 404;
  }

  async ping(signal?: AbortSignal): Promise<void> {
    try {
      await this.done({ op: 'ListBuckets', method: 'GET', bucket: '', signal });
    } catch (err) {
      if (err instanceof RegionError && err.kind !== 'unreachable') return;
      throw err;
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
