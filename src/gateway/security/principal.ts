/** Who a connection is, in Kafka's own form (`User:<name>`): what ACL rules name (src/auth identityOf). */
import { ANONYMOUS_PRINCIPAL } from '../../auth/index.js';

export type KafkaPrincipal = `User:${string}`;

/** Kafka's principal for an unauthenticated (PLAINTEXT or SSL without client auth) connection. */
export const ANONYMOUS = ANONYMOUS_PRINCIPAL as KafkaPrincipal;

export const userPrincipal = (name: string): KafkaPrincipal => `User:${name}`;
