/** What the groups domain needs from the outside world: the groups table, plus the log (topics, end offsets). */
import type { FetchDeps } from '../log/fetch.js';

export interface GroupsDeps extends FetchDeps {
  groupsTable: string;
}

export { isConditionFailure, nowOf, writeIf } from '../log/deps.js';
