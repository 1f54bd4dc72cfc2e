/**
 * Compiles a MessageSchema for one version into a plan: the fields present in that version,
 * in wire order, each resolved to its encoding (nullable? compact? tagged?), its default and the
 * fewest bytes it can take on the wire. Codecs walk plans; they never look at version strings.
 */
import type { FieldSchema, KafkaValue, MessageSchema, PrimitiveType } from './schema.js';
import { inRange, inVersions, parseVersions, type VersionRange } from './versions.js';

export type ValueKind = PrimitiveType | 'struct';

export interface FieldPlan {
  readonly name: string;
  readonly kind: ValueKind;
  readonly array: boolean;
  /** The field (the array itself, for arrays) may be null. Array elements never are. */
  readonly nullable: boolean;
  /** Compact (unsigned-varint) lengths for strings, bytes, records and arrays. */
  readonly compact: boolean;
  readonly tag: number | undefined;
  /** The element struct of a struct or struct-array field. */
  readonly struct: StructPlan | undefined;
  /** Explicit schema default, if any (int64 defaults already bigint). */
  readonly explicitDefault: KafkaValue | undefined;
  /** Fewest bytes one element takes (for arrays: one element, not the array). */
  readonly elementMinSize: number;
  /** Fewest bytes the field takes in its struct (0 for tagged fields). */
  readonly minSize: number;
}

export interface StructPlan {
  /** Fields outside the tagged section, in wire order. */
  readonly fields: readonly FieldPlan[];
  /** Tagged fields of this version, ascending by tag. */
  readonly tagged: readonly FieldPlan[];
  readonly taggedByTag: ReadonlyMap<number, FieldPlan>;
  /** Flexible version: the struct ends with a tagged-fields section. */
  readonly flexible: boolean;
  readonly minSize: number;
}

const PRIMITIVES: ReadonlySet<string> = new Set<PrimitiveType>([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid',
]);

const FIXED_SIZE: Partial<Record<PrimitiveType, number>> = {
  bool: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, float64: 8, uuid: 16,
};

interface Context {
  readonly version: number;
  readonly flexible: VersionRange;
  readonly where: string;
}

export function compileMessage(schema: MessageSchema, version: number): StructPlan {
  const ctx = { version, flexible: parseVersions(schema.flexibleVersions), where: schema.name };
  return compileStruct(schema.fields, ctx);
}

function compileStruct(fields: readonly FieldSchema[], ctx: Context): StructPlan {
  const flexible = inRange(ctx.flexible, ctx.version);
  const regular: FieldPlan[] = [];
  const tagged: FieldPlan[] = [];
  for (const field of fields) {
    if (!inVersions(field.versions, ctx.version)) continue;
    const plan = compileField(field, { ...ctx, where: `${ctx.where}.${field.name}` });
    (plan.tag === undefined ? regular : tagged).push(plan);
  }
  tagged.sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0));
  const taggedByTag = new Map<number, FieldPlan>();
  for (const plan of tagged) {
    if (taggedByTag.has(plan.tag ?? -1)) throw new Error(`${ctx.where}: duplicate tag ${plan.tag}`);
    taggedByTag.set(plan.tag ?? -1, plan);
  }
  const minSize = regular.reduce((sum, plan) => sum + plan.minSize, flexible ? 1 : 0);
  return { fields: regular, tagged, taggedByTag, flexible, minSize };
}

function compileField(field: FieldSchema, ctx: Context): FieldPlan {
  const array = field.type.startsWith('[]');
  const base = array ? field.type.slice(2) : field.type;
  const isPrimitive = PRIMITIVES.has(base);
  if (isPrimitive === (field.fields !== undefined)) {
    throw new Error(`${ctx.where}: type "${field.type}" ${isPrimitive ? 'cannot have' : 'needs'} fields`);
  }
  const kind: ValueKind = isPrimitive ? (base as PrimitiveType) : 'struct';
  const flexible = inRange(ctx.flexible, ctx.version);
  const tagged = field.tag !== undefined && inVersions(field.taggedVersions ?? field.versions, ctx.version);
  if (tagged && !flexible) throw new Error(`${ctx.where}: tagged in a non-flexible version`);
  const compact = flexible && (field.flexibleVersions === undefined || inVersions(field.flexibleVersions, ctx.version));
  const struct = field.fields === undefined ? undefined : compileStruct(field.fields, ctx);
  const nullable = inVersions(field.nullableVersions, ctx.version);
  if (nullable && !array && !['string', 'bytes', 'records'].includes(kind)) {
    throw new Error(`${ctx.where}: a ${kind} cannot be nullable`);
  }
  const elementMinSize = struct?.minSize ?? FIXED_SIZE[kind as PrimitiveType] ?? (compact ? 1 : kind === 'string' ? 2 : 4);
  const ownMinSize = array ? (compact ? 1 : 4) : elementMinSize;
  return {
    name: field.name,
    kind,
    array,
    nullable,
    compact,
    tag: tagged ? field.tag : undefined,
    struct,
    explicitDefault: normalizeDefault(field, kind, array, ctx),
    elementMinSize,
    minSize: tagged ? 0 : ownMinSize,
  };
}

function normalizeDefault(field: FieldSchema, kind: ValueKind, array: boolean, ctx: Context): KafkaValue | undefined {
  const value = field.default;
  if (value === undefined || value === null) return value;
  if (array || kind === 'struct') throw new Error(`${ctx.where}: only null can be the default of a ${field.type}`);
  if (kind === 'int64') return BigInt(value as number | bigint | string);
  return value;
}
