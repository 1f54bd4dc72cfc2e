/** Consumer groups: a filtered, server-paged table with state, members and sampled lag. */
import type { GroupRow } from '../../shared/api-types.js';
import { FilteredList, type ListSpec } from '../components/filtered-list.js';
import { PageHeading } from '../components/page-heading.js';
import { formatCount } from '../format.js';
import { href, type Route } from '../router.js';

const GROUP_LIST: ListSpec<GroupRow> = {
  section: 'groups',
  filter: { id: 'group-filter', label: 'Filter by group id' },
  caption: (_q, total) => `Consumer groups (${formatCount(total)})`,
  columns: [
    { label: 'Group', cell: (g) => <a href={href(['groups', g.groupId])}>{g.groupId}</a> },
    { label: 'State', cell: (g) => g.state },
    { label: 'Members', numeric: true, cell: (g) => formatCount(g.members) },
    { label: 'Lag', numeric: true, cell: (g) => formatCount(g.lag) },
  ],
  rowKey: (g) => g.groupId,
  pagerLabel: 'Groups',
  emptyText: 'No consumer groups yet.',
};

export function GroupsPage({ route }: { route: Route }) {
  return (
    <>
      <PageHeading title="Consumer groups" />
      <FilteredList route={route} list={GROUP_LIST} />
    </>
  );
}
