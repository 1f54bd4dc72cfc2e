/**
 * Message bodies generated from the schemas themselves: deterministic samples (every field of the
 * version set, nullables all set or all null) and fast-check arbitraries, for round-trip tests.
 * Written against the raw schema data, not the codec's compiled plans, so a plan bug shows.
 */
import fc from 'fast-check';
import type { FieldSchema, KafkaStruct, KafkaValue, MessageSchema } from '../../../../packages/protocol/src/kafka/index.js';
import { inVersions } from '../../../../packages/protocol/src/kafka/versions.js';

export type Variant = 'filled' | 'nulls';

const isTagged = (field: FieldSchema, version: number) =>
  field.tag !== undefined && inVersions(field.taggedVersions ?? field.versions, version);

const baseType = (field: FieldSchema) => (field.type.startsWith('[]') ? field.type.slice(2) : field.type);

/** A deterministic body with every field of `version`; `counter` varies values between calls. */
export function sampleBody(schema: MessageSchema, version: number, variant: Variant, counter = 1): KafkaStruct {
  return sampleStruct(schema.fields, version, variant, { n: counter });
}

function sampleStruct(fields: readonly FieldSchema[], version: number, variant: Variant, state: { n: number }): KafkaStruct {
  const out: Record<string, KafkaValue> = {};
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue;
    if (variant === 'nulls' && inVersions(field.nullableVersions, version)) {
      out[field.name] = null;
    } else if (field.type.startsWith('[]')) {
      out[field.name] = [0, 1].map(() => sampleValue(field, version, variant, state));
    } else {
      out[field.name] = sampleValue(field, version, variant, state);
    }
    // A tagged field at its default is left off the wire and decodes to that default anyway.
    if (variant === 'nulls' && isTagged(field, version) && field.default !== undefined && !field.type.startsWith('[]')) {
      out[field.name] = field.type === 'int64' ? BigInt(field.default as number | bigint) : field.default;
    }
  }
  return out;
}

function sampleValue(field: FieldSchema, version: number, variant: Variant, state: { n: number }): KafkaValue {
  const n = state.n++;
  switch (baseType(field)) {
    case 'bool':
      return n % 2 === 0;
    case 'int8':
      return -100 + (n % 200);
    case 'int16':
      return -30000 + n;
    case 'uint16':
      return 65000 + n;
    case 'int32':
      return 2_000_000_000 + n;
    case 'uint32':
      return 4_000_000_000 + n;
    case 'int64':
      // Beyond 2^53: a number-based codec would lose these.
      return n % 2 === 0 ? 2n ** 62n + BigInt(n) : -(2n ** 63n) + BigInt(n);
    case 'float64':
      return n + 0.25;
    case 'uuid':
      return `${n.toString(16).padStart(8, '0')}-1234-5678-9abc-def012345678`;
    case 'string':
      return `${field.name}-${n}-é`;
    case 'bytes':
    case 'records':
      return Buffer.from(`bytes-${field.name}-${n}`);
    default:
      return sampleStruct(field.fields ?? [], version, variant, state);
  }
}

/** A fast-check arbitrary of bodies for `version`, optionally with unknown tagged fields. */
export function arbitraryBody(schema: MessageSchema, version: number): fc.Arbitrary<KafkaStruct> {
  const flexible = inVersions(schema.flexibleVersions, version);
  return arbitraryStruct(schema.fields, version, flexible);
}

function arbitraryStruct(fields: readonly FieldSchema[], version: number, flexible: boolean): fc.Arbitrary<KafkaStruct> {
  const shape: Record<string, fc.Arbitrary<KafkaValue>> = {};
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue;
    const one = arbitraryValue(field, version, flexible);
    const many = field.type.startsWith('[]') ? fc.array(one, { maxLength: 3 }) : one;
    shape[field.name] = inVersions(field.nullableVersions, version) ? fc.option(many, { nil: null }) : many;
  }
  const struct = fc.record(shape);
  if (!flexible) return struct;
  return fc
    .tuple(struct, fc.uniqueArray(fc.integer({ min: 90, max: 300 }), { maxLength: 2 }), fc.uint8Array({ maxLength: 6 }))
    .map(([body, tags, data]) =>
      tags.length === 0
        ? body
        : { ...body, _unknownTaggedFields: [...tags].sort((a, b) => a - b).map((tag) => ({ tag, data: Buffer.from(data) })) },
    );
}

function arbitraryValue(field: FieldSchema, version: number, flexible: boolean): fc.Arbitrary<KafkaValue> {
  switch (baseType(field)) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint32':
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double({ noNaN: true });
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
        const h = Buffer.from(b).toString('hex');
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      });
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 12 });
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b));
    default:
      return arbitraryStruct(field.fields ?? [], version, flexible);
  }
}

/** Keeps only the fields (and nested fields) that `version` has: a hand-written sample, seen at a version. */
export function projectBody(schema: MessageSchema, version: number, body: KafkaStruct): KafkaStruct {
  return projectStruct(schema.fields, version, body);
}

function projectStruct(fields: readonly FieldSchema[], version: number, body: KafkaStruct): KafkaStruct {
  const out: Record<string, KafkaValue> = {};
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue;
    const value = body[field.name];
    if (value === undefined) throw new Error(`sample lacks ${field.name} (v${version})`);
    if (field.fields === undefined || value === null) out[field.name] = value;
    else if (Array.isArray(value)) out[field.name] = value.map((item: KafkaValue) => projectStruct(field.fields ?? [], version, item as KafkaStruct));
    else out[field.name] = projectStruct(field.fields, version, value as KafkaStruct);
  }
  return out;
}
