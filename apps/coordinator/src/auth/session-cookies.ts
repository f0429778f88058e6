import type { Request, Response } from 'express';
import { CSRF_COOKIE, SESSION_COOKIE } from '@tuneforge/contracts';
import { newSecret, sha256, type Stores } from '@tuneforge/persistence';

/**
 * Starts a dashboard session for the user (POST /auth/session and the single sign-on callback alike): the session
 * row (SHA-256s of its secrets), the HttpOnly SameSite=Strict session cookie, and the readable CSRF cookie.
 */
export async function startSession(stores: Stores, ttlMs: number, userId: string, request: Request, response: Response): Promise<void> {
  const secret = newSecret();
  const csrf = newSecret();
  const expiresAt = new Date(Date.now() + ttlMs);
  await stores.accounts.insertSession({ userId, secretSha256: sha256(secret), csrfSha256: sha256(csrf), expiresAt });
  const secure = request.secure;
  response.cookie(SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: expiresAt });
  // Readable by the dashboard's script, which echoes it in X-CSRF-Token; another site can neither read it nor send it.
  response.cookie(CSRF_COOKIE, csrf, { httpOnly: false, sameSite: 'strict', secure, path: '/', expires: expiresAt });
}
