/** The gateway's security: TLS on the listener, SASL per connection, principals. See README.md here for how the server plugs them in. */
export { ANONYMOUS, userPrincipal, type KafkaPrincipal } from './principal.js';
export { SASL_ERROR, type SaslError, type SaslErrorCode } from './sasl/errors.js';
export { SASL_MECHANISMS, SCRAM_MECHANISMS, type SaslMechanism, type SaslSession, type SaslStep, type ScramMechanism } from './sasl/mechanism.js';
export { SaslAuthenticator, type SaslAuthenticatorOptions } from './sasl/authenticator.js';
export {
  SaslConnection,
  SASL_AUTHENTICATE_KEY,
  SASL_HANDSHAKE_KEY,
  type AuthenticateAnswer,
  type HandshakeAnswer,
  type RawTokenAnswer,
  type SaslConnectionOptions,
} from './sasl/connection.js';
export { scramCredential, SCRAM_DEFAULT_ITERATIONS, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, type ScramCredential } from './sasl/scram-crypto.js';
export { parseCredentialDocument, type CredentialDocument, type CredentialDocumentJson, type UserCredentials } from './credentials/document.js';
export { CachedCredentialStore, staticCredentialStore, type CredentialStore, type UserLookup } from './credentials/store.js';
export { createGatewayServer, isTls, parseTlsSecret, tlsFromFiles, tlsFromSecret, type GatewayListenerOptions, type TlsMaterial, type TlsSource } from './tls.js';
export { loadGatewaySecurity, securitySettingsFromEnv, secretsManagerReader, type GatewaySecurity, type GatewaySecuritySettings, type SecretReader } from './config.js';
