import { asArray, parseXml } from '../s3/xml.js';
import type { PartRef, UploadRef } from './region.js';

/** Pure: a CompleteMultipartUpload body. */
export function completeMultipartXml(parts: PartRef[]): string {
  return '<CompleteMultipartUpload>' + parts.map((p) =>
    `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${p.etag.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</ETag></Part>`).join('') +
    '</CompleteMultipartUpload>';
}

/** Pure: the UploadId of an InitiateMultipartUploadResult. */
export function parseUploadId(xml: string): string {
  const doc = parseXml(xml, true) as { InitiateMultipartUploadResult?: { UploadId?: unknown } };
  return String(doc.InitiateMultipartUploadResult?.UploadId ?? '');
}

/** Pure: the uploads of a ListMultipartUploadsResult. */
export function parseUploads(xml: string): UploadRef[] {
  const doc = parseXml(xml, true) as { ListMultipartUploadsResult?: { Upload?: unknown } };
  return asArray(doc.ListMultipartUploadsResult?.Upload as Array<{ Key: unknown; UploadId: unknown; Initiated?: unknown }>)
    .map((u) => {
      const initiated = u.Initiated === undefined ? undefined : new Date(String(u.Initiated));
      return { key: String(u.Key), uploadId: String(u.UploadId), initiated: initiated && !Number.isNaN(initiated.getTime()) ? initiated : undefined };
    });
}

/** Pure: the parts of a ListPartsResult. */
export function parseParts(xml: string): Array<PartRef & { size: number }> {
  const doc = parseXml(xml, true) as { ListPartsResult?: { Part?: unknown } };
  return asArray(doc.ListPartsResult?.Part as Array<{ PartNumber: unknown; ETag: unknown; Size: unknown }>)
    .map((p) => ({ partNumber: Number(p.PartNumber), etag: String(p.ETag), size: Number(p.Size) }));
}
