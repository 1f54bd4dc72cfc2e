/**
 * Generic decoder: reads a message body by walking its plan (plan.ts).
 * Wire format of a struct: its fields in schema order, then, in flexible versions, a tagged-fields
 * section: unsigned varint count, then per field unsigned varint tag, unsigned varint size and
 * `size` bytes. Known tags decode as their field and must use exactly `size` bytes; unknown tags are
 * kept raw under `_unknownTaggedFields`. An absent tagged field decodes as its default.
 * Arrays: int32 count (compact: unsigned varint count+1; null: -1 / 0) then the elements.
 */
import { KafkaProtocolError, malformed } from './errors.js';
import { defaultValue } from './defaults.js';
import type { FieldPlan, StructPlan } from './plan.js';
import { Reader } from './reader.js';
import { UNKNOWN_TAGGED_FIELDS, type KafkaStruct, type KafkaValue, type RawTaggedField } from './schema.js';

export function decodeStruct(reader: Reader, struct: StructPlan): KafkaStruct {
  const out: Record<string, KafkaValue> = {};
  let field = '';
  try {
    for (const plan of struct.fields) {
      field = plan.name;
      out[field] = decodeField(reader, plan);
    }
    field = '';
    if (struct.flexible) decodeTaggedFields(reader, struct, out);
  } catch (error) {
    throw field === '' ? error : atPath(error, field);
  }
  return out;
}

function decodeTaggedFields(reader: Reader, struct: StructPlan, out: Record<string, KafkaValue>): void {
  const count = reader.uvarint();
  // Each tagged field takes at least two bytes (tag and size).
  if (count * 2 > reader.remaining) throw malformed(`${count} tagged fields cannot fit in ${reader.remaining} bytes`);
  const unknown: RawTaggedField[] = [];
  for (let i = 0; i < count; i++) {
    const tag = reader.uvarint();
    const size = reader.uvarint();
    reader.need(size, `tagged field ${tag}`);
    const plan = struct.taggedByTag.get(tag);
    if (plan === undefined) {
      unknown.push({ tag, data: reader.raw(size) });
      continue;
    }
    const end = reader.pos + size;
    const sub = new Reader(reader.buf, reader.pos, end);
    try {
      out[plan.name] = decodeField(sub, plan);
    } catch (error) {
      throw atPath(error, plan.name);
    }
    if (sub.pos !== end) throw malformed(`tagged field ${tag} left ${end - sub.pos} of its ${size} bytes`).within(plan.name);
    reader.pos = end;
  }
  for (const plan of struct.tagged) if (!(plan.name in out)) out[plan.name] = defaultValue(plan);
  if (unknown.length > 0) out[UNKNOWN_TAGGED_FIELDS] = unknown;
}

function decodeField(reader: Reader, plan: FieldPlan): KafkaValue {
  if (!plan.array) return decodeValue(reader, plan);
  const count = reader.arrayLength(plan.compact, plan.nullable, plan.elementMinSize);
  if (count === null) return null;
  const items: KafkaValue[] = [];
  let i = 0;
  try {
    for (; i < count; i++) items.push(decodeValue(reader, plan));
  } catch (error) {
    throw atPath(error, `[${i}]`);
  }
  return items;
}

/** One value of the field's kind (one element, for arrays: elements are never null). */
function decodeValue(reader: Reader, plan: FieldPlan): KafkaValue {
  const nullable = plan.nullable && !plan.array;
  switch (plan.kind) {
    case 'bool':
      return reader.bool();
    case 'int8':
      return reader.int8();
    case 'int16':
      return reader.int16();
    case 'uint16':
      return reader.uint16();
    case 'int32':
      return reader.int32();
    case 'uint32':
      return reader.uint32();
    case 'int64':
      return reader.int64();
    case 'float64':
      return reader.float64();
    case 'uuid':
      return reader.uuid();
    case 'string':
      return reader.string(plan.compact, nullable);
    case 'bytes':
    case 'records':
      return reader.bytes(plan.compact, nullable);
    case 'struct':
      return decodeStruct(reader, plan.struct as StructPlan);
  }
}

/** Adds where it happened to a protocol error on its way out (only on failure: no cost otherwise). */
function atPath(error: unknown, segment: string): unknown {
  return error instanceof KafkaProtocolError ? error.within(segment) : error;
}
