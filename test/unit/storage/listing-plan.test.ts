/** Listing segment keys in general purpose and S3 Express One Zone directory buckets. */
import { describe, expect, it } from 'vitest';
import { isDirectoryBucket, listingPlan } from '../../../src/storage/object-store.js';
import { SEGMENT_SHARDS, newSegmentKey, segmentShardPrefix } from '../../../src/storage/keys.js';

describe('listingPlan', () => {
  it('passes prefix and startAfter through for a general purpose bucket', () => {
    // Act
    const plan = listingPlan('floe-segments', 'seg/a', 'seg/a00/1');

    // Assess
    expect(plan).toMatchObject({ prefix: 'seg/a', startAfter: 'seg/a00/1' });
    expect(plan.keep('anything')).toBe(true);
  });

  it('asks a directory bucket for a prefix ending in / and without StartAfter, and filters the keys itself', () => {
    // Prepare
    const bucket = 'floe-seg--use1-az4--x-s3';
    const keys = Array.from({ length: 200 }, () => newSegmentKey());
    const shard = SEGMENT_SHARDS[10]!;
    const prefix = segmentShardPrefix(shard);
    const after = keys.filter((k) => k.startsWith(prefix)).sort()[0];

    // Act
    const plan = listingPlan(bucket, prefix, after);

    // Assess
    expect(isDirectoryBucket(bucket)).toBe(true);
    expect(plan.prefix.endsWith('/')).toBe(true);
    expect(plan.startAfter).toBeUndefined();
    // what S3 would return for the asked prefix, in any order, filtered: exactly the shard's keys after `after`
    const kept = keys.filter((k) => k.startsWith(plan.prefix)).reverse().filter(plan.keep);
    expect(kept.sort()).toEqual(keys.filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort());
  });
});
