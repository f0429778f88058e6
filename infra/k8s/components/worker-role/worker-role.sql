-- The PostgreSQL role the workers connect as (WORKER_DATABASE_URL): what a worker's statements need,
-- table by table, and nothing else. The coordinator's role owns the schema and runs the migrations;
-- a worker runs no DDL. Run it as that owner (or a role allowed to create roles) after the
-- coordinator's first start has migrated the database, and again after an upgrade whose migrations
-- add a table that workers use (infra/README.md). It changes nothing when run twice.
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction -f worker-role.sql
--
-- Grants name each table: authentication's (users, projects, project_members, api_tokens, sessions)
-- and any table added later stay out of the workers' reach until a line here grants them. The
-- password is set apart from this file (ALTER ROLE tuneforge_worker PASSWORD ...), so no secret is
-- committed.
--
-- What each grant serves (libs/persistence, as apps/worker calls it):
--   sweeps         SELECT                  a claim reads the sweep's status and spec (TrialStore.claim, statusOf)
--   trials         SELECT, UPDATE          claim, end, hand-back, events, backend, attempt checks; the row
--                                          locks (FOR NO KEY UPDATE) before a claim, an end and a checkpoint
--   metric_points  SELECT, INSERT, UPDATE  the fenced upsert of an epoch's metrics (upsertMetricPoints) and
--                                          the rung summaries of early stopping (rungPeerSummaries)
--   checkpoints    SELECT, INSERT, UPDATE, DELETE
--                                          saveCheckpoint writes one and drops those no longer kept; a
--                                          trial's end stores its best epoch's; a resumed run reads them
--   datasets       SELECT                  the content of an uploaded CSV a trial trains on
--   workers        SELECT, INSERT, UPDATE  register (upsert), heartbeat, mark stopped (WorkerStore)
-- Not granted: typeorm_migrations and every other table; no sequence is needed (metric_points.id is
-- an identity column); TRUNCATE, REFERENCES and TRIGGER on none.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tuneforge_worker') THEN
    CREATE ROLE tuneforge_worker LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO tuneforge_worker', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO tuneforge_worker;

-- The grants below are the whole of it: whatever an earlier version of this file granted goes first.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM tuneforge_worker;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM tuneforge_worker;

GRANT SELECT ON TABLE sweeps TO tuneforge_worker;
GRANT SELECT, UPDATE ON TABLE trials TO tuneforge_worker;
GRANT SELECT, INSERT, UPDATE ON TABLE metric_points TO tuneforge_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE checkpoints TO tuneforge_worker;
GRANT SELECT ON TABLE datasets TO tuneforge_worker;
GRANT SELECT, INSERT, UPDATE ON TABLE workers TO tuneforge_worker;
