/**
 * Where authenticators look users up. CachedCredentialStore keeps the parsed document in
 * memory and reloads it lazily (no timers, no calls while nobody logs in): when it is older
 * than `refreshMs`, and when an unknown user tries to log in (so a user added a moment ago
 * can connect), at most once per `retryMs` (so unknown names cannot hammer Secrets Manager).
 * A failed reload keeps the last good document.
 */
import { parseCredentialDocument, type CredentialDocument, type UserCredentials } from './document.js';

export interface UserLookup {
  user: UserCredentials | undefined;
  /** Keys the decoy answer for an unknown user (see CredentialDocument.fingerprint). */
  decoyKey: Buffer;
}

export interface CredentialStore {
  lookup(username: string): Promise<UserLookup>;
}

/** A document fixed at construction (tests, inline configuration). */
export function staticCredentialStore(document: CredentialDocument): CredentialStore {
  return { lookup: async (username) => ({ user: document.users.get(username), decoyKey: document.fingerprint }) };
}

export interface CachedCredentialStoreOptions {
  /** Reads the document's text (Secrets Manager, a file, an environment variable). */
  load: () => Promise<string>;
  /** @default 300_000 (5 minutes) */
  refreshMs?: number;
  /** Minimum time between two reloads, after a failure or for an unknown user. @default 30_000 */
  retryMs?: number;
  now?: () => number;
  /** Told about reloads that failed while a previous document stays in use. */
  onReloadError?: (error: unknown) => void;
}

export class CachedCredentialStore implements CredentialStore {
  private document: CredentialDocument | undefined;
  private loadedAt = -Infinity;
  private attemptedAt = -Infinity;
  private reloading: Promise<void> | undefined;
  private readonly refreshMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CachedCredentialStoreOptions) {
    this.refreshMs = options.refreshMs ?? 300_000;
    this.retryMs = options.retryMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** The first load: call at start-up so a bad secret or document fails the process, not the first login. */
  async init(): Promise<void> {
    await this.reload();
  }

  get userCount(): number {
    return this.document?.users.size ?? 0;
  }

  async lookup(username: string): Promise<UserLookup> {
    const stale = this.now() - this.loadedAt >= this.refreshMs;
    // A load in flight is joined (concurrent logins before the first load completes see its result).
    if (this.reloading || ((stale || !this.document) && this.mayRetry())) await this.reloadKeepingLast();
    let document = this.current();
    if (!document.users.has(username) && this.mayRetry()) {
      await this.reloadKeepingLast();
      document = this.current();
    }
    return { user: document.users.get(username), decoyKey: document.fingerprint };
  }

  private current(): CredentialDocument {
    if (!this.document) throw new Error('the gateway credentials could not be loaded');
    return this.document;
  }

  private mayRetry(): boolean {
    return this.now() - this.attemptedAt >= this.retryMs;
  }

  private async reloadKeepingLast(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      if (!this.document) throw error;
      this.options.onReloadError?.(error);
    }
  }

  /** One reload at a time: concurrent logins share it. */
  private reload(): Promise<void> {
    this.reloading ??= (async () => {
      this.attemptedAt = this.now();
      try {
        this.document = parseCredentialDocument(await this.options.load());
        this.loadedAt = this.now();
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }
}
