import { Client } from 'pg';

/** The coordinators' leadership: any constant their processes share; "tfleader" in ASCII (positive, so its two halves read back from pg_locks as they went in). */
const COORDINATOR_LEADER_KEY = 0x74666c6561646572n;

/** How long the lock's connection may take to connect, or to answer, before its holder gives the lock up. */
const LEADER_LOCK_TIMEOUT_MS = 5_000;

/**
 * TCP keepalives of the lock's session on the server's side (seconds): when the holder's host vanishes (a node lost,
 * a network cut), PostgreSQL ends the session, and so frees the lock, within about idle + interval x count = 20 s
 * instead of the operating system's default of over two hours. Ignored on a Unix socket, where a dead peer is seen at once.
 */
const SERVER_KEEPALIVE = { idle: 10, interval: 5, count: 2 };

/**
 * A lock at most one process holds at a time: a PostgreSQL session-level advisory lock, taken on a
 * connection of its own (not the pool's) and held while that session lives. Nothing waits for it:
 * `holdOrTake` tries once (pg_try_advisory_lock) and answers; the holder's later calls check that its
 * session still holds it. A holder that loses its connection, or is killed, loses the lock with its
 * session. The database URL must reach PostgreSQL directly or through a session-mode pooler: a
 * transaction-mode pooler hands each statement to any server connection, where session locks mean nothing.
 */
export class LeaderLock {
  private client?: Client;
  private held = false;
  private released = false;

  constructor(
    private readonly url: string,
    private readonly applicationName: string,
    private readonly key: bigint = COORDINATOR_LEADER_KEY,
  ) {}

  /** Whether this process held the lock as of its last `holdOrTake` (false from a lost connection on). */
  get isHeld(): boolean {
    return this.held;
  }

  /**
   * Holds the lock after the call if it can: the holder checks that its session still holds it, anyone else
   * tries to take it. Answers whether it is held. A failure (PostgreSQL unreachable, the connection lost or
   * not answering in LEADER_LOCK_TIMEOUT_MS) drops the connection, and with it the lock, then throws.
   */
  async holdOrTake(): Promise<boolean> {
    if (this.released) return false;
    try {
      const client = await this.connection();
      const { rows } = await client.query<{ held: boolean }>(
        this.held
          ? `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
               AND objsubid = 1 AND ((classid::int8 << 32) | objid::int8) = $1::int8) AS held`
          : `SELECT pg_try_advisory_lock($1::int8) AS held`,
        [this.key.toString()],
      );
      this.held = rows[0].held && !this.released;
      return this.held;
    } catch (error) {
      this.drop();
      if (this.released) return false; // released while it asked
      throw error;
    }
  }

  /** Gives the lock up for good (ending its session frees it): `holdOrTake` answers false from now on. */
  async release(): Promise<void> {
    this.released = true;
    const client = this.client;
    this.client = undefined;
    this.held = false;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    // A connection that no longer answers would keep end() waiting: the server frees the lock when it notices.
    await Promise.race([client.end().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, LEADER_LOCK_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.url,
      application_name: this.applicationName,
      connectionTimeoutMillis: LEADER_LOCK_TIMEOUT_MS,
      query_timeout: LEADER_LOCK_TIMEOUT_MS,
      keepAlive: true,
    });
    // A lost connection (PostgreSQL restarted, the session terminated) loses the lock; without a listener it would crash the process.
    client.on('error', () => {
      if (this.client === client) this.drop();
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(
        `SET tcp_keepalives_idle = ${SERVER_KEEPALIVE.idle}; SET tcp_keepalives_interval = ${SERVER_KEEPALIVE.interval}; SET tcp_keepalives_count = ${SERVER_KEEPALIVE.count}`,
      );
    } catch (error) {
      this.drop();
      throw error;
    }
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    this.held = false;
    void client?.end().catch(() => undefined);
  }
}
