/**
 * The schema format: TypeScript data shaped like Kafka's own message definitions
 * (clients/src/main/resources/common/message/*.json), with camelCase field names,
 * which are also the keys of the decoded bodies.
 */

/** Primitive field types. `records` is a RecordBatch blob, kept as raw bytes. */
export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

/**
 * A value of a message body:
 * - int8/16/32, uint16/32, float64: number; int64: bigint (encoders also take a safe-integer number);
 * - string: string; bytes and records: Buffer (decoded ones are views into the frame, not copies);
 * - uuid: lowercase "8-4-4-4-12" hex string; bool: boolean; arrays: arrays; structs: objects;
 * - null where the field is nullable in that version.
 */
export type KafkaValue = null | boolean | number | bigint | string | Buffer | readonly KafkaValue[] | KafkaStruct;

export interface KafkaStruct {
  readonly [field: string]: KafkaValue | undefined;
}

/** A tagged field whose tag the schema does not know: kept as raw bytes and written back as is. */
export interface RawTaggedField extends KafkaStruct {
  readonly tag: number;
  readonly data: Buffer;
}

/** Key of a struct's unknown tagged fields (named like the `_unknownTaggedFields` of Kafka's generated classes). */
export const UNKNOWN_TAGGED_FIELDS = '_unknownTaggedFields';

export interface FieldSchema {
  /** camelCase; the key in the body object. */
  readonly name: string;
  /** A PrimitiveType, `[]` + a PrimitiveType, or a struct name (with `fields`), optionally prefixed by `[]`. */
  readonly type: string;
  readonly versions: string;
  readonly nullableVersions?: string;
  /** Overrides the message's flexible versions for this field (the request header's client id: "none"). */
  readonly flexibleVersions?: string;
  /** Tagged field: its tag and the versions in which it travels in the tagged-fields section. */
  readonly tag?: number;
  readonly taggedVersions?: string;
  /** Used when encoding a body that lacks the field, and for an absent tagged field when decoding. */
  readonly default?: null | boolean | number | bigint | string;
  readonly fields?: readonly FieldSchema[];
}

export interface MessageSchema {
  readonly apiKey: number;
  readonly type: 'request' | 'response' | 'header';
  readonly name: string;
  /** The versions this codec supports (may be narrower than Kafka's). */
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSchema[];
}
