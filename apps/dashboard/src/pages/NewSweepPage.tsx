import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../api';
import { Card, ErrorBox } from '../components/common';
import { useLocation } from 'wouter';
import { mayEdit, useSession } from '../session';

/** The repository's examples (examples/*.yaml), bundled as text: a starting point for a spec. */
const EXAMPLES: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob('../../../../examples/*.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>).map(([path, text]) => [
    path.split('/').pop()?.replace(/\.yaml$/, '') ?? path,
    text,
  ]),
);

/** Submit a sweep: a spec in YAML (an example to start from), into a project the user may edit; the coordinator's refusals are shown with the fields they name. */
export function NewSweepPage() {
  const { me } = useSession();
  const [, navigate] = useLocation();
  const projects = useMemo(() => (me.user.isAdmin ? me.projects : me.projects.filter((p) => mayEdit(p.role))), [me]);
  const names = Object.keys(EXAMPLES).sort();
  const [example, setExample] = useState(names.includes('names-cells') ? 'names-cells' : names[0]);
  const [yaml, setYaml] = useState(EXAMPLES[example] ?? '');
  // The coordinator's own default when none is picked; else the project named default, else the first.
  const [project, setProject] = useState(projects.find((p) => p.name === 'default')?.id ?? projects[0]?.id ?? '');
  const [error, setError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  if (projects.length === 0 && !me.user.isAdmin) {
    return (
      <Card title="New sweep" testId="new-sweep">
        <p className="muted" data-testid="new-sweep-refused">
          Submitting a sweep needs the editor role in a project; you are viewer in every project you belong to.
        </p>
      </Card>
    );
  }
  const pick = (name: string) => {
    setExample(name);
    setYaml(EXAMPLES[name] ?? '');
    setError(undefined);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitting(true);
    setError(undefined);
    try {
      const sweep = await api.createSweep(yaml, project || undefined);
      navigate(`/sweeps/${sweep.id}`);
    } catch (refusal) {
      setError((refusal as Error).message);
    } finally {
      setSubmitting(false);
    }
  };
  return (
    <Card title="New sweep" testId="new-sweep">
      <form onSubmit={submit} className="new-sweep-form">
        <div className="form-row">
          <label>
            Start from an example{' '}
            <select value={example} onChange={(e) => pick(e.target.value)} data-testid="new-sweep-example">
              {names.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          {projects.length > 0 && (
            <label>
              Project{' '}
              <select value={project} onChange={(e) => setProject(e.target.value)} data-testid="new-sweep-project">
                {projects.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        <label className="spec-editor">
          Spec (YAML; the README's "The sweep spec" says what each field does)
          <textarea value={yaml} onChange={(e) => setYaml(e.target.value)} rows={24} spellCheck={false} data-testid="new-sweep-spec" />
        </label>
        {error && (
          <ErrorBox>
            <span data-testid="new-sweep-error">Could not submit the sweep: {error}</span>
          </ErrorBox>
        )}
        <button type="submit" disabled={submitting || yaml.trim() === ''} data-testid="new-sweep-submit">
          {submitting ? 'Submitting…' : 'Submit sweep'}
        </button>
      </form>
    </Card>
  );
}
