/**
 * Generic encoder: writes a message body by walking its plan (plan.ts), in the wire format
 * decode.ts reads. A field missing from the body (undefined) is written as its default; fields
 * the version does not have are ignored. Tagged fields are written only when they differ from their
 * default, merged in tag order with any `_unknownTaggedFields` carried over from a decoded body.
 */
import { KafkaProtocolError, invalidValue } from './errors.js';
import { defaultValue, isDefault } from './defaults.js';
import type { FieldPlan, StructPlan } from './plan.js';
import { UNKNOWN_TAGGED_FIELDS, type KafkaStruct, type KafkaValue, type RawTaggedField } from './schema.js';
import { Writer } from './writer.js';

export function encodeStruct(writer: Writer, struct: StructPlan, value: KafkaStruct): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw invalidValue('expected an object');
  }
  let field = '';
  try {
    for (const plan of struct.fields) {
      field = plan.name;
      encodeField(writer, plan, value[field]);
    }
    field = '';
    if (struct.flexible) encodeTaggedFields(writer, struct, value);
  } catch (error) {
    throw field === '' ? error : atPath(error, field);
  }
}

function encodeTaggedFields(writer: Writer, struct: StructPlan, value: KafkaStruct): void {
  const entries: Array<{ tag: number; data: Buffer }> = [];
  for (const plan of struct.tagged) {
    const field = value[plan.name];
    if (isDefault(plan, field)) continue;
    const sub = new Writer(64);
    try {
      encodeField(sub, plan, field);
    } catch (error) {
      throw atPath(error, plan.name);
    }
    entries.push({ tag: plan.tag as number, data: sub.finish() });
  }
  const unknown = value[UNKNOWN_TAGGED_FIELDS] as readonly RawTaggedField[] | undefined;
  for (const field of unknown ?? []) {
    if (struct.taggedByTag.has(field.tag)) throw invalidValue(`unknown tagged field ${field.tag} is a known tag`);
    entries.push({ tag: field.tag, data: field.data });
  }
  entries.sort((a, b) => a.tag - b.tag);
  writer.uvarint(entries.length);
  for (const entry of entries) {
    writer.uvarint(entry.tag);
    writer.uvarint(entry.data.length);
    writer.raw(entry.data);
  }
}

function encodeField(writer: Writer, plan: FieldPlan, given: KafkaValue | undefined): void {
  const value = given === undefined ? defaultValue(plan) : given;
  if (value === null && !plan.nullable) throw invalidValue('null in a non-nullable field');
  if (!plan.array) return encodeValue(writer, plan, value);
  if (value === null) return writer.arrayLength(null, plan.compact);
  if (!Array.isArray(value)) throw invalidValue('expected an array');
  writer.arrayLength(value.length, plan.compact);
  const items = value as readonly KafkaValue[];
  let i = 0;
  try {
    for (; i < items.length; i++) {
      const item = items[i];
      if (item === null || item === undefined) throw invalidValue(`array element is ${String(item)}`);
      encodeValue(writer, plan, item);
    }
  } catch (error) {
    throw atPath(error, `[${i}]`);
  }
}

function encodeValue(writer: Writer, plan: FieldPlan, value: KafkaValue): void {
  switch (plan.kind) {
    case 'bool':
      return writer.bool(value as boolean);
    case 'int8':
      return writer.int8(value as number);
    case 'int16':
      return writer.int16(value as number);
    case 'uint16':
      return writer.uint16(value as number);
    case 'int32':
      return writer.int32(value as number);
    case 'uint32':
      return writer.uint32(value as number);
    case 'int64':
      return writer.int64(value as bigint | number);
    case 'float64':
      return writer.float64(value as number);
    case 'uuid':
      return writer.uuid(value as string);
    case 'string':
      return writer.string(value as string | null, plan.compact);
    case 'bytes':
    case 'records':
      return writer.bytes(value as Buffer | null, plan.compact);
    case 'struct':
      return encodeStruct(writer, plan.struct as StructPlan, value as KafkaStruct);
  }
}

/** Adds where it happened to a protocol error on its way out (only on failure: no cost otherwise). */
function atPath(error: unknown, segment: string): unknown {
  return error instanceof KafkaProtocolError ? error.within(segment) : error;
}
