/**
 * Editing the credentials document (what `floe gateway credentials` does): SCRAM entries from a
 * password, a user added, replaced or removed. The result is parsed back before it is returned,
 * so the helper can never write a document the gateway would refuse.
 */
import { SCRAM_MECHANISMS, type ScramMechanism } from '../sasl/mechanism.js';
import { dict } from '../../../storage/user-keyed.js';
import { scramCredential } from '../sasl/scram-crypto.js';
import { CredentialDocumentError, parseCredentialDocument, scramCredentialToJson, type CredentialDocumentJson, type UserCredentialsJson } from './document.js';

export async function scramEntries(
  password: string,
  options: { mechanisms?: readonly ScramMechanism[]; iterations?: number } = {},
): Promise<UserCredentialsJson> {
  if (password === '') throw new Error('the password is empty');
  const entry: UserCredentialsJson = {};
  for (const mechanism of options.mechanisms ?? SCRAM_MECHANISMS) {
    entry[mechanism] = scramCredentialToJson(await scramCredential(mechanism, password, { iterations: options.iterations }));
  }
  return entry;
}

function documentOf(text: string | undefined): CredentialDocumentJson {
  if (text === undefined || text.trim() === '') return { users: dict() };
  parseCredentialDocument(text); // refuse to edit a document the gateway would refuse
  const document = JSON.parse(text) as CredentialDocumentJson;
  // User names are any strings: "__proto__" or "constructor" must be keys, not Object.prototype's members (decision 41).
  return { ...document, users: dict(Object.entries(document.users)) };
}

const finish = (document: CredentialDocumentJson): string => {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  parseCredentialDocument(text);
  return text;
};

export function setUser(text: string | undefined, name: string, entry: UserCredentialsJson): string {
  const document = documentOf(text);
  document.users[name] = entry;
  return finish(document);
}

export function removeUser(text: string | undefined, name: string): string {
  const document = documentOf(text);
  if (!Object.hasOwn(document.users, name)) throw new CredentialDocumentError(`no user ${JSON.stringify(name)} in the credentials document`);
  delete document.users[name];
  return finish(document);
}
