/**
 * Kafka's per-record errors of a refused batch (LogValidator's RecordValidationException; Produce v8+
 * record_errors, `recordErrors` over HTTP). Kafka checks each record once, its key first (a compacted
 * topic's keyless record), then its timestamp, and answers INVALID_TIMESTAMP when any record's
 * timestamp failed, INVALID_RECORD otherwise, listing every failed record by its index in the batch.
 * Floe lists at most LIMITS.maxRecordErrors of them (decision 48); the message counts them all.
 */
import { FloeError, type ProduceRecordError, type RecordsSummary } from '@floe/protocol';
import { compacts, LIMITS, type TopicConfig } from './limits.js';

/** Kafka's RecordValidationException: a batch refused for some of its records, which the answer lists. */
export class RecordValidationError extends FloeError {
  readonly recordErrors: ProduceRecordError[];
  /** records that failed, listed or not (at least those listed) */
  readonly failed: number;
  declare readonly code: 'INVALID_TIMESTAMP' | 'INVALID_RECORD';

  constructor(code: 'INVALID_TIMESTAMP' | 'INVALID_RECORD', message: string, recordErrors: ProduceRecordError[], failed = recordErrors.length) {
    super(code, message);
    this.recordErrors = recordErrors;
    this.failed = Math.max(failed, recordErrors.length);
  }
}

/** Kafka's message for a keyless record on a compacted topic (LogValidator.validateKey), word for word. */
const keylessMessage = (topic: string, partition: number): string => `Compacted topic cannot accept message without key in topic partition ${topic}-${partition}`;

/**
 * Throws the batch's refusal, if any: `timestamps` (the timestamp checks' refusal) and a compacted
 * topic's keyless records (`summary` walked with LIMITS.maxRecordErrors of them listed). Keyless
 * records alone are INVALID_RECORD; beside a timestamp refusal INVALID_TIMESTAMP, as Kafka, both kinds
 * listed in batch order, a keyless record named for its key only (its timestamp is not checked).
 */
export function refuseRecords(topic: { name: string; configs: Pick<TopicConfig, 'cleanup.policy'> }, partition: number, summary: RecordsSummary, timestamps?: RecordValidationError): void {
  if (summary.keyless === 0 || !compacts(topic.configs)) {
    if (timestamps) throw timestamps;
    return;
  }
  const message = keylessMessage(topic.name, partition);
  const keyless = summary.keylessRecords.map((batchIndex): ProduceRecordError => ({ batchIndex, message }));
  const counted = `${summary.keyless} record(s) of the batch have no key, which compacted topic "${topic.name}" (cleanup.policy=${topic.configs['cleanup.policy']}) cannot accept`;
  if (!timestamps) throw new RecordValidationError('INVALID_RECORD', `${counted}; the first is record ${summary.keylessRecords[0]}`, keyless);
  const byIndex = new Map(timestamps.recordErrors.map((e) => [e.batchIndex, e]));
  for (const e of keyless) byIndex.set(e.batchIndex, e);
  const merged = [...byIndex.values()].sort((a, b) => a.batchIndex - b.batchIndex).slice(0, LIMITS.maxRecordErrors);
  // INVALID_TIMESTAMP only if a record failed for its timestamp alone, keyed: every record of a flagged
  // batch fails its timestamp, yet one with only keyless records has key errors alone (Kafka: INVALID_RECORD).
  const listedKeyless = new Set(summary.keylessRecords);
  const keyedFailed = timestamps.recordErrors.some((e) => !listedKeyless.has(e.batchIndex)) || timestamps.failed > summary.keyless;
  throw new RecordValidationError(keyedFailed ? timestamps.code : 'INVALID_RECORD', keyedFailed ? `${timestamps.message}; and ${counted}` : `${counted}; the first is record ${summary.keylessRecords[0]}`, merged);
}
