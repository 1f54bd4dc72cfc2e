/** What every console API route works with. */
import type { FloeGateway } from '../gateway.js';
import type { ClusterSampler } from '../sampler.js';
import type { ConsoleInfo } from '../shared/api-types.js';

export interface ApiContext {
  gateway: FloeGateway;
  sampler: ClusterSampler;
  info: ConsoleInfo;
}
