/**
 * The object store behind one small interface (SlateDB style). S3 is the base
 * layer; retrying, instrumented and cached layers wrap it (see layers.ts).
 * Segment objects are immutable once written, which is what makes caching ranges safe.
 * Works with S3 Express One Zone directory buckets too (the SDK opens their sessions);
 * their listings differ, see listingPlan.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified?: Date;
}

export interface ObjectStore {
  put(key: string, body: Uint8Array): Promise<void>;
  /** Bytes [start, end) of an object. */
  getRange(key: string, start: number, end: number): Promise<Buffer>;
  delete(key: string): Promise<void>;
  list(prefix: string, startAfter?: string): AsyncIterable<ObjectInfo>;
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength }),
    );
  }

  async getRange(key: string, start: number, end: number): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    const response = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
    );
    if (!response.Body) throw new Error(`empty body for ${key}`);
    const bytes = Buffer.from(await response.Body.transformToByteArray());
    if (bytes.length !== end - start) {
      throw new Error(`short read of ${key} [${start},${end}): got ${bytes.length} bytes`);
    }
    return bytes;
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(prefix: string, startAfter?: string): AsyncIterable<ObjectInfo> {
    const plan = listingPlan(this.bucket, prefix, startAfter);
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: plan.prefix,
          ContinuationToken: token,
          StartAfter: token ? undefined : plan.startAfter,
        }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key !== undefined && plan.keep(item.Key)) yield { key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

/** S3 Express One Zone directory buckets are named `<base>--<zone-id>--x-s3`. */
export const isDirectoryBucket = (bucket: string): boolean => bucket.endsWith('--x-s3');

/**
 * What to ask ListObjectsV2 for. Directory buckets accept only prefixes ending in `/`,
 * have no StartAfter and list in no particular order: ask for the enclosing `/` prefix
 * and filter here.
 */
export function listingPlan(bucket: string, prefix: string, startAfter?: string): { prefix: string; startAfter?: string; keep: (key: string) => boolean } {
  if (!isDirectoryBucket(bucket)) return { prefix, startAfter, keep: () => true };
  const enclosing = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  return { prefix: enclosing, keep: (key) => key.startsWith(prefix) && (startAfter === undefined || key > startAfter) };
}
