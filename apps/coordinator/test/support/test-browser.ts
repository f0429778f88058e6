import { createServer } from 'node:net';

interface Cookie {
  value: string;
  path: string;
}

/**
 * What a browser does for a sign-on, by hand: requests without following redirects, and a cookie jar per origin
 * (name, value, path and expiry from Set-Cookie; enough for the flows the tests drive).
 */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, Cookie>>();

  async get(url: string | URL): Promise<Response> {
    const target = new URL(url);
    const cookie = this.cookieHeader(target);
    const response = await fetch(target, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    this.keep(target, response.headers.getSetCookie());
    return response;
  }

  /** Follows redirects from `url` until `stop` says so for the next URL, or an answer is not a redirect. */
  async follow(url: string | URL, stop: (next: URL) => boolean): Promise<{ response: Response; next?: URL }> {
    let current = new URL(url);
    for (let hop = 0; hop < 20; hop++) {
      const response = await this.get(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response };
      const next = new URL(location, current);
      if (stop(next)) return { response, next };
      current = next;
    }
    throw new Error(`more than 20 redirects from ${String(url)}`);
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name)?.value;
  }

  /** The Cookie header this browser sends to `url`. */
  cookieHeader(url: URL): string {
    const cookies = this.jar.get(url.origin) ?? new Map<string, Cookie>();
    return [...cookies].filter(([, c]) => url.pathname.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
  }

  private keep(url: URL, setCookies: string[]): void {
    const cookies = this.jar.get(url.origin) ?? new Map<string, Cookie>();
    this.jar.set(url.origin, cookies);
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const attribute = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const expires = attribute('expires');
      const maxAge = attribute('max-age');
      if ((expires && Date.parse(expires) <= Date.now()) || (maxAge !== undefined && Number(maxAge) <= 0)) cookies.delete(name);
      else cookies.set(name, { value, path: attribute('path') ?? '/' });
    }
  }
}

/** A port no one listens on now (to give a server before it starts, when another must know its URL first). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
