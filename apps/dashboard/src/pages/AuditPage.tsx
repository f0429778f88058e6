import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'wouter';
import { AUDIT_ACTIONS, type AuditEventDto } from '@tuneforge/contracts';
import { api } from '../api';
import { Card, ErrorBox, Skeleton, useNow } from '../components/common';
import { formatAge } from '../format';

const PAGE = 50;

/** Who did what and when (GET /audit, deployment administrators only), newest first, filtered by actor and action. */
export function AuditPage() {
  // The filter and the page live in the URL: a reload or a shared link shows the same events.
  const [search, setSearch] = useSearchParams();
  const action = (AUDIT_ACTIONS as readonly string[]).includes(search.get('action') ?? '') ? (search.get('action') as AuditEventDto['action']) : undefined;
  const filter = { actor: search.get('actor') || undefined, action, offset: Math.max(0, Number.parseInt(search.get('offset') ?? '0', 10) || 0) };
  const setFilter = (next: typeof filter) =>
    setSearch(
      Object.fromEntries(
        Object.entries({ actor: next.actor, action: next.action, offset: next.offset ? String(next.offset) : undefined }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>,
    );
  const events = useQuery({ queryKey: ['audit', filter], queryFn: () => api.audit({ ...filter, limit: PAGE }), placeholderData: keepPreviousData });
  const now = useNow();
  const page = events.data;
  return (
    <Card title="Audit log" testId="audit">
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const actor = String(data.get('actor') ?? '').trim();
          const action = String(data.get('action') ?? '');
          setFilter({ actor: actor || undefined, action: (action || undefined) as AuditEventDto['action'] | undefined, offset: 0 });
        }}
      >
        <input name="actor" placeholder="actor (user name)" data-testid="audit-actor" defaultValue={filter.actor} />
        <select name="action" data-testid="audit-action" defaultValue={filter.action ?? ''}>
          <option value="">every action</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <button type="submit">Filter</button>
        <button type="button" onClick={() => void events.refetch()}>
          Reload
        </button>
      </form>
      {events.isPending && <Skeleton rows={5} />}
      {events.error && <ErrorBox>Could not load the audit log: {events.error.message}</ErrorBox>}
      {page && page.items.length === 0 && <p className="muted">No events match.</p>}
      {page && page.items.length > 0 && (
        <div className="table-scroll">
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Target</th>
                <th>Outcome</th>
                <th>Address</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td title={e.at}>{formatAge(e.at, now)} ago</td>
                  <td>
                    {e.actor.name}
                    {e.via && <span className="muted"> · {e.tokenPrefix ? `token ${e.tokenPrefix}` : e.via}</span>}
                  </td>
                  <td>{e.action}</td>
                  <td>{e.target ? <Target kind={e.target.kind} id={e.target.id} /> : '–'}</td>
                  <td className={e.outcome === 'ok' ? '' : 'chip chip-failed'}>
                    {e.outcome} ({e.status})
                  </td>
                  <td className="muted">{e.clientAddress ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && page.total > PAGE && (
        <div className="pager">
          <button type="button" disabled={filter.offset === 0} onClick={() => setFilter({ ...filter, offset: Math.max(0, filter.offset - PAGE) })}>
            Newer
          </button>
          <span className="muted">
            {filter.offset + 1}–{Math.min(filter.offset + PAGE, page.total)} of {page.total}
          </span>
          <button type="button" disabled={filter.offset + PAGE >= page.total} onClick={() => setFilter({ ...filter, offset: filter.offset + PAGE })}>
            Older
          </button>
        </div>
      )}
    </Card>
  );
}

function Target({ kind, id }: { kind: string; id: string | null }) {
  if (id && (kind === 'sweep' || kind === 'trial')) return <Link href={`/${kind}s/${id}`}>{`${kind} ${id.slice(0, 8)}`}</Link>;
  return <span>{id ? `${kind} ${id.length > 12 ? id.slice(0, 8) : id}` : kind}</span>;
}
