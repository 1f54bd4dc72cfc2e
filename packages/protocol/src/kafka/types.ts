/**
 * TypeScript types of message bodies, derived from the schema data itself (the schemas are
 * `as const`). Every field is optional, as a field exists only in some versions; a nullable one
 * may be null. Example: `const body = decoded.body as MessageBody<typeof MetadataRequest>`.
 */
import type { FieldSchema, MessageSchema, PrimitiveType, RawTaggedField } from './schema.js';

type PrimitiveValue<T extends PrimitiveType> = T extends 'bool'
  ? boolean
  : T extends 'int64'
    ? bigint
    : T extends 'string' | 'uuid'
      ? string
      : T extends 'bytes' | 'records'
        ? Buffer
        : number;

type FieldValue<F extends FieldSchema> = F extends { fields: infer S extends readonly FieldSchema[] }
  ? F['type'] extends `[]${string}`
    ? Array<StructBody<S>>
    : StructBody<S>
  : F['type'] extends `[]${infer E extends PrimitiveType}`
    ? Array<PrimitiveValue<E>>
    : F['type'] extends PrimitiveType
      ? PrimitiveValue<F['type']>
      : never;

type NullIf<F extends FieldSchema> = F extends { nullableVersions: string } ? null : never;

export type StructBody<S extends readonly FieldSchema[]> = {
  [F in S[number] as F['name']]?: FieldValue<F> | NullIf<F>;
} & { _unknownTaggedFields?: RawTaggedField[] };

export type MessageBody<M extends MessageSchema> = StructBody<M['fields']>;
