import { useEffect, useState, type FormEvent } from 'react';
import type { SignIn } from '@tuneforge/contracts';
import { signInProviders, ssoSignInUrl, type SignInProviders } from '../api';
import { ErrorBox } from '../components/common';

/**
 * Name and password, or an API token (the administrator's first one: `tmp/admin-token` in the demo), and single
 * sign-on when the coordinator offers it. Shown in place of the page the user asked for, which stays in the URL.
 */
export function SignInPage({ notice, onSignIn }: { notice?: string; onSignIn: (credentials: SignIn) => Promise<void> }) {
  const [providers, setProviders] = useState<SignInProviders>();
  const [withToken, setWithToken] = useState(false);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let mounted = true;
    void signInProviders().then((found) => mounted && setProviders(found));
    return () => void (mounted = false);
  }, []);
  const tokenOnly = providers?.password === false;
  const usingToken = withToken || tokenOnly;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSignIn(usingToken ? { token: token.trim() } : { name: name.trim(), password });
    } catch (failed) {
      setError(failed instanceof Error ? failed.message : String(failed));
      setBusy(false);
    }
  };

  return (
    <div className="sign-in-page">
      <form className="card sign-in" onSubmit={submit} data-testid="sign-in" aria-label="Sign in">
        <h2>Sign in to Tuneforge</h2>
        {notice && (
          <p className="notice" data-testid="sign-in-notice">
            {notice}
          </p>
        )}
        {error && <ErrorBox>{error}</ErrorBox>}
        {usingToken ? (
          <label>
            API token
            <input type="password" name="token" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} data-testid="sign-in-token" />
          </label>
        ) : (
          <>
            <label>
              Name
              <input name="username" autoComplete="username" required value={name} onChange={(e) => setName(e.target.value)} data-testid="sign-in-name" />
            </label>
            <label>
              Password
              <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} data-testid="sign-in-password" />
            </label>
          </>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid="sign-in-submit">
          Sign in
        </button>
        {!tokenOnly && (
          <button type="button" className="link" onClick={() => {
              setWithToken(!withToken);
              setError(undefined);
            }} data-testid="sign-in-mode">
            {usingToken ? 'Sign in with a name and password' : 'Sign in with an API token'}
          </button>
        )}
        {usingToken && <p className="muted">An API token of yours; the administrator's first one was printed at the coordinator's first start (the demo keeps it in tmp/admin-token).</p>}
        {providers?.oidc && (
          <a className="button" href={ssoSignInUrl(window.location.pathname + window.location.search)} data-testid="sign-in-sso">
            Sign in with SSO ({providers.oidc.name})
          </a>
        )}
      </form>
    </div>
  );
}
