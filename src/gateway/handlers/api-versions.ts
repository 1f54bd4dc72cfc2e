/** ApiVersions (18): what this listener serves. The response header is always v0 (the codec does that). */
import type { Handler } from '../context.js';

export const apiVersions: Handler = async (gw) => ({
  errorCode: 0,
  apiKeys: gw.apis,
  throttleTimeMs: 0,
  supportedFeatures: [],
  finalizedFeaturesEpoch: -1n,
  finalizedFeatures: [],
  zkMigrationReady: false,
});
