import { Card } from '../components/common';
import { Link } from 'wouter';

export function NotFoundPage({ what }: { what?: string }) {
  return (
    <Card title="Not found" testId="not-found">
      <p>{what ?? `Nothing lives at ${window.location.pathname}.`}</p>
      <p>
        <Link href="/">Back to the sweeps</Link>
      </p>
    </Card>
  );
}
