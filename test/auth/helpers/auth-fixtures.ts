import { readFileSync } from 'node:fs';
import type { ClientCredential } from '../../../src/config/types.js';

export interface HeaderExample {
  name: string;
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  body?: string;
  signedHeaders: string;
  signature: string;
}

export interface StreamingExample {
  name: string;
  rawPath: string;
  headers: Record<string, string>;
  signedHeaders: string;
  seedSignature: string;
  chunks: Array<{ size: number; signature: string }>;
  trailer: { lines: string[]; signature: string } | null;
}

export interface AwsExamples {
  accessKeyId: string;
  secretAccessKey: string;
  now: string;
  scope: string;
  header: HeaderExample[];
  presigned: Omit<HeaderExample, 'signedHeaders'>;
  streaming: StreamingExample[];
}

export const awsExamples: AwsExamples = JSON.parse(
  readFileSync(new URL('../../../fixtures/auth/aws-examples.json', import.meta.url), 'utf8'),
);

export const exampleCredential: ClientCredential = {
  accessKeyId: awsExamples.accessKeyId,
  secretAccessKey: awsExamples.secretAccessKey,
};

export const lookupExample = (id: string) => (id === exampleCredential.accessKeyId ? exampleCredential : undefined);

export function exampleAuthorization(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=${awsExamples.accessKeyId}/${awsExamples.scope},SignedHeaders=${signedHeaders},Signature=${signature}`;
}
