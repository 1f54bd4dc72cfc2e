/** ApiVersions (18): what this listener serves (Produce from v0: advertisedApis). The response header is always v0 (the codec does that). */
import { advertisedApis } from '../apis.js';
import type { Handler } from '../context.js';

export const apiVersions: Handler = async (gw) => ({
  errorCode: 0,
  apiKeys: advertisedApis(gw.apis),
  throttleTimeMs: 0,
  supportedFeatures: [],
  finalizedFeaturesEpoch: -1n,
  finalizedFeatures: [],
  zkMigrationReady: false,
});
