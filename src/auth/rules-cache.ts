/**
 * The rules one function instance (or gateway process) decides with. A snapshot is used for at
 * most `ttlMs`, counted from when its read began, so a grant removed at time T stops working by
 * T + ttlMs. From half its age on, a check starts a refresh in the background and goes on with the
 * snapshot: a busy instance never waits for DynamoDB. Only a cold or idle instance (no snapshot, or
 * one past ttlMs) waits for the read - and if that read fails, the check fails: closed, not open.
 */
import type { AclRule } from '@floe/protocol';
import { RuleIndex } from './access.js';

interface Snapshot {
  index: RuleIndex;
  readAt: number;
}

export class RulesCache {
  private snapshot: Snapshot | undefined;
  private loading: { generation: number; promise: Promise<RuleIndex> } | undefined;
  /** Bumped by invalidate(): a read that began before it must not be kept. */
  private generation = 0;
  /** Reads made, for tests and benchmarks. */
  reads = 0;

  constructor(
    private readonly load: () => Promise<AclRule[]>,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly onBackgroundError: (error: unknown) => void = () => undefined,
  ) {}

  async get(): Promise<RuleIndex> {
    const snapshot = this.snapshot;
    const age = snapshot ? this.now() - snapshot.readAt : Number.POSITIVE_INFINITY;
    if (snapshot && age < this.ttlMs) {
      if (age >= this.ttlMs / 2) this.refresh().catch(this.onBackgroundError);
      return snapshot.index;
    }
    return this.refresh();
  }

  /** After a rule change made here: the next check reads the rules again. */
  invalidate(): void {
    this.generation++;
    this.snapshot = undefined;
  }

  private refresh(): Promise<RuleIndex> {
    if (this.loading?.generation === this.generation) return this.loading.promise;
    const generation = this.generation;
    const promise: Promise<RuleIndex> = this.read(generation).finally(() => {
      if (this.loading?.promise === promise) this.loading = undefined;
    });
    this.loading = { generation, promise };
    return promise;
  }

  private async read(generation: number): Promise<RuleIndex> {
    const started = this.now();
    this.reads++;
    const index = new RuleIndex(await this.load());
    if (generation === this.generation && (!this.snapshot || started >= this.snapshot.readAt)) this.snapshot = { index, readAt: started };
    return index;
  }
}
