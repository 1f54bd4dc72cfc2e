/**
 * Optional native addons. The Lambda bundle does not contain them (their
 * linux-arm64 binaries are not installed where the stack is synthesized), so
 * they are loaded at run time, never imported statically, and every caller has a
 * portable fallback.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function optionalRequire<T>(name: string): T | undefined {
  try {
    return load(name) as T;
  } catch {
    return undefined;
  }
}
