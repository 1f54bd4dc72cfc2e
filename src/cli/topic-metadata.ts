/** The metadata answer for the one topic a command works on (produce, consume), or the server's own error for it. */
import type { Admin } from '@floe/client';
import { FloeError } from '@floe/protocol';

type TopicMetadata = Awaited<ReturnType<Admin['metadata']>>[number];

const MESSAGES: Partial<Record<string, (topic: string) => string>> = {
  UNKNOWN_TOPIC_OR_PARTITION: (topic) => `unknown topic "${topic}"`,
  // Said as such: an unauthorized principal must not be told the topic is missing (it may exist).
  TOPIC_AUTHORIZATION_FAILED: (topic) => `not authorized to describe topic "${topic}" (floe acls add ... --operation Describe)`,
};

export async function topicMetadata(admin: Admin, topic: string): Promise<TopicMetadata> {
  const [meta] = await admin.metadata([topic]);
  if (!meta) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${topic}"`);
  if (meta.errorCode !== 'NONE') {
    const message = (meta as { errorMessage?: string }).errorMessage ?? MESSAGES[meta.errorCode]?.(topic) ?? `topic "${topic}": ${meta.errorCode}`;
    throw new FloeError(meta.errorCode, message);
  }
  return meta;
}
