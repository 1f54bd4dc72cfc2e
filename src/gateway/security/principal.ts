/** Who a connection is, in Kafka's own form (`User:<name>`), so ACLs can be added later without a new format. */
export type KafkaPrincipal = `User:${string}`;

/** Kafka's principal for an unauthenticated (PLAINTEXT or SSL without client auth) connection. */
export const ANONYMOUS: KafkaPrincipal = 'User:ANONYMOUS';

export const userPrincipal = (name: string): KafkaPrincipal => `User:${name}`;
