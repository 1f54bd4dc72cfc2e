/** Credential documents for the gateway security tests, built with the same helper operators use. */
import { parseCredentialDocument, type CredentialDocument } from '../../src/gateway/security/credentials/document.js';
import { scramEntries, setUser } from '../../src/gateway/security/credentials/edit.js';
import { staticCredentialStore, type CredentialStore } from '../../src/gateway/security/credentials/store.js';

export const ALICE = { name: 'alice', password: 'correct horse battery staple' };
export const BOB = { name: 'bob', password: 'plain-only password' };

/** alice: SCRAM-SHA-256 and -512 entries (4096 iterations: fast tests); bob: a PLAIN entry only. */
export async function documentText(): Promise<string> {
  const alice = await scramEntries(ALICE.password, { iterations: 4096 });
  return setUser(setUser(undefined, ALICE.name, alice), BOB.name, { PLAIN: { password: BOB.password } });
}

export async function testStore(): Promise<{ store: CredentialStore; document: CredentialDocument }> {
  const document = parseCredentialDocument(await documentText());
  return { store: staticCredentialStore(document), document };
}
