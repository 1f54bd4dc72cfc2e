/**
 * ACL management on the admin function (docs/http-api.md#acls): list (Describe on the cluster),
 * add and remove (Alter on the cluster), as Kafka's DescribeAcls, CreateAcls and DeleteAcls.
 */
import { ACL_FILTER_FIELDS, FloeError, type AclFilter } from '@floe/protocol';
import { addAcls, AUTH_LIMITS, listAcls, parseFilter, parseRule, removeAcls } from '../auth/index.js';
import type { HandlerDeps } from './deps.js';
import { accessOf, json, parseJsonBody, type HttpRequest, type Route } from './http.js';
import { array, object, queryParams } from './validate.js';

/**
 * The filter in the query string; `required`: at least one field must be named (a delete of everything is said out loud).
 * A field named with no value, or twice, is refused: read as "any", `principal=` with an unset variable would remove every rule.
 */
function filterOf(request: HttpRequest, required: boolean): AclFilter {
  const fields = queryParams(request.query, `${request.method} /v1/acls`, ACL_FILTER_FIELDS);
  for (const [name, value] of Object.entries(fields)) {
    if (value === '') throw new FloeError('INVALID_REQUEST', `filter field "${name}" has no value; give one, or "any", or leave the field out`);
  }
  if (required && Object.keys(fields).length === 0) {
    throw new FloeError('INVALID_REQUEST', 'name at least one filter field (resourceType=any to remove every rule)');
  }
  return parseFilter(fields);
}

export function aclRoutes(deps: HandlerDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/acls',
      handle: async (request) => {
        (await accessOf(deps.auth, request)).requireCluster('Describe');
        return json(200, { acls: await listAcls(deps.auth, filterOf(request, false)) });
      },
    },
    {
      method: 'POST',
      path: '/v1/acls',
      maxBodyBytes: AUTH_LIMITS.maxRulesPerRequest * 4096,
      handle: async (request) => {
        (await accessOf(deps.auth, request)).requireCluster('Alter');
        const body = object(parseJsonBody(request), 'body', ['rules']);
        // A rule has a filter's fields and no others: a Kafka-style "host" would be dropped, the rule then applying from anywhere.
        const rules = array(body.rules, 'rules', AUTH_LIMITS.maxRulesPerRequest).map((rule, i) =>
          parseRule(object(rule, `rules[${i}]`, ACL_FILTER_FIELDS), i),
        );
        if (rules.length === 0) throw new FloeError('INVALID_REQUEST', 'rules is empty');
        const added = await addAcls(deps.auth, rules);
        return json(200, { acls: added.map(({ rule, added }) => ({ ...rule, added })) });
      },
    },
    {
      method: 'DELETE',
      path: '/v1/acls',
      handle: async (request) => {
        (await accessOf(deps.auth, request)).requireCluster('Alter');
        return json(200, { removed: await removeAcls(deps.auth, filterOf(request, true)) });
      },
    },
  ];
}
