/** Version ranges as Kafka's message definitions write them: "3+", "0-7", "5" or "none". */

export interface VersionRange {
  readonly min: number;
  /** Inclusive; Infinity for "N+". */
  readonly max: number;
}

export const NO_VERSIONS: VersionRange = { min: 1, max: 0 };

export function parseVersions(text: string): VersionRange {
  if (text === 'none') return NO_VERSIONS;
  const open = /^(\d+)\+$/.exec(text);
  if (open) return { min: Number(open[1]), max: Infinity };
  const span = /^(\d+)-(\d+)$/.exec(text);
  if (span) return { min: Number(span[1]), max: Number(span[2]) };
  if (/^\d+$/.test(text)) return { min: Number(text), max: Number(text) };
  throw new Error(`bad version range "${text}"`);
}

export const inRange = (range: VersionRange, version: number): boolean =>
  version >= range.min && version <= range.max;

/** True when `version` is in the range written as `text`; undefined text means no versions. */
export const inVersions = (text: string | undefined, version: number): boolean =>
  text !== undefined && inRange(parseVersions(text), version);
