-- jobs: batch procedures for pg_cron and their output tables, and the BI
-- views over them. Procedures: insert a job_run row (with the backend's pid
-- and start time) and COMMIT; then, in one transaction, take a
-- transaction-level advisory lock keyed by the job name, read, write the
-- outputs (delete-then-insert of the run's key) and mark the run done, in a
-- block whose handler records the error (a cancel included); a deadlock or
-- serialization failure rolls back and runs again, a bounded number of
-- times; a failure is recorded, committed and re-raised. A run is never
-- half-written, and no lock outlives the transaction: a cancelled,
-- terminated or crashed run holds nothing, and a run still shown as
-- running whose backend is gone is recognised as abandoned.
--
-- The jobs concern (src/jobs/), the top layer, SQL only: the procedures
-- pg_cron runs (jobs.sql, workflow.sql), the BI functions over their
-- outputs (reports.sql), and the roles and grants over every object
-- (privileges.sql, last in the install script). Reads the user's rows
-- through inner queries; writes o2c.job_run, o2c.aging_snapshot,
-- o2c.finding, o2c.dunning_notice and o2c.cash_match.

CREATE TABLE @extschema@.job_run (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job          text NOT NULL,
    args         jsonb NOT NULL DEFAULT '{}',
    started_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at  timestamptz,
    status       text NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
    rows_read    bigint,
    rows_written bigint,
    error        text,
    sqlstate     text,
    backend_pid   integer,
    backend_start timestamptz,
    attempts     integer
);
CREATE INDEX job_run_job_started ON @extschema@.job_run (job, started_at DESC);
COMMENT ON TABLE @extschema@.job_run IS
    'one row per job run: arguments, timing, status (running, succeeded, failed), row counts, and the error of a failed run';
COMMENT ON COLUMN @extschema@.job_run.rows_read IS 'rows the job read from its inner query';
COMMENT ON COLUMN @extschema@.job_run.rows_written IS 'rows the job wrote to its output table';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.job_run', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.job_run_id_seq', '');

CREATE TABLE @extschema@.aging_snapshot (
    ledger            text NOT NULL DEFAULT 'default',
    as_of             date NOT NULL,
    customer_id       text NOT NULL,
    currency          text NOT NULL,
    current           numeric NOT NULL,
    d1_30             numeric NOT NULL,
    d31_60            numeric NOT NULL,
    d61_90            numeric NOT NULL,
    d91_plus          numeric NOT NULL,
    total             numeric NOT NULL,
    overdue           numeric NOT NULL,
    items             bigint NOT NULL,
    avg_days_past_due numeric,
    bounds            integer[],
    labels            text[],
    amounts           numeric[],
    job_run_id        bigint,
    undated           numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (ledger, as_of, customer_id, currency)
);
CREATE INDEX aging_snapshot_as_of ON @extschema@.aging_snapshot (as_of, ledger);
CREATE INDEX aging_snapshot_job_run ON @extschema@.aging_snapshot (job_run_id);
COMMENT ON TABLE @extschema@.aging_snapshot IS
    'per-customer aging as of a date, per ledger and currency, written by o2c.snapshot_aging; custom bounds give bounds/labels/amounts beside the five standard buckets';
COMMENT ON COLUMN @extschema@.aging_snapshot.ledger IS 'name of the book the snapshot is of, so two ledgers never overwrite each other';
COMMENT ON COLUMN @extschema@.aging_snapshot.currency IS 'currency of the amounts; XXX (ISO 4217: no currency) when the inner query gives none';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.aging_snapshot', '');
-- job_run_id refers to job_run.id (on delete set null), kept by triggers
-- rather than a foreign key, so pg_restore -j may load the tables in any
-- order (see reference.sql).
CREATE TRIGGER aging_snapshot_job_run_check AFTER INSERT ON @extschema@.aging_snapshot
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_check('job_run_id', '@extschema@.job_run', 'id');
CREATE TRIGGER aging_snapshot_job_run_check_update AFTER UPDATE OF job_run_id ON @extschema@.aging_snapshot
    FOR EACH ROW WHEN (NEW.job_run_id IS DISTINCT FROM OLD.job_run_id)
    EXECUTE FUNCTION @extschema@.reference_check('job_run_id', '@extschema@.job_run', 'id');
CREATE TRIGGER aging_snapshot_job_run_delete AFTER DELETE ON @extschema@.job_run
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.aging_snapshot', 'job_run_id', 'set null');
CREATE TRIGGER aging_snapshot_job_run_truncate AFTER TRUNCATE ON @extschema@.job_run
    FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.aging_snapshot', 'job_run_id', 'set null');
CREATE TRIGGER aging_snapshot_job_run_renumber AFTER UPDATE OF id ON @extschema@.job_run
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.aging_snapshot', 'job_run_id', 'set null');

-- Lock key of a job: one advisory lock per job name, in o2c's own key space.
CREATE FUNCTION @extschema@.job_lock_key(job text)
RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (pg_catalog.hashtext('o2c')::bigint << 32) | (pg_catalog.hashtext(job)::bigint & 4294967295);
COMMENT ON FUNCTION @extschema@.job_lock_key(text) IS
    'the advisory lock key o2c jobs take for a job name (pg_locks shows it as objid/classid halves)';

-- Is the run still executing? Its backend (pid and start time, so a reused
-- pid is not taken for it) must exist and still be in the statement that
-- started the run: a cancelled run's backend is idle or in a later statement.
-- Details of another role's backend are hidden without pg_read_all_stats;
-- then only the pid is compared, and the run counts as alive while it exists.
CREATE FUNCTION @extschema@.job_run_alive(backend_pid integer, backend_start timestamptz,
                                          started_at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
RETURN EXISTS (
    SELECT 1 FROM pg_catalog.pg_stat_activity a
     WHERE a.pid OPERATOR(pg_catalog.=) job_run_alive.backend_pid
       AND (a.backend_start IS NULL OR a.backend_start OPERATOR(pg_catalog.=) job_run_alive.backend_start)
       AND (a.state IS NULL OR a.state OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'disabled']))
       AND (a.query_start IS NULL OR a.query_start OPERATOR(pg_catalog.<=) job_run_alive.started_at));
COMMENT ON FUNCTION @extschema@.job_run_alive(integer, timestamptz, timestamptz) IS
    'true while the job run started at started_at by the backend (pid, backend start time) is still executing: false once that backend is gone (terminated, crashed, restarted) or has left the statement that started the run';

-- Start a run: mark this job's runs whose backend is gone as abandoned,
-- record the new one with this backend's pid and start time (committed by the
-- caller) and return its id.
CREATE FUNCTION @extschema@.job_start(job text, args jsonb)
RETURNS bigint
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
BEGIN ATOMIC
    UPDATE @extschema@.job_run r
       SET status = 'abandoned', finished_at = pg_catalog.clock_timestamp(),
           error = pg_catalog.format('abandoned: backend %s ended or left the run before it finished',
                                     r.backend_pid)
     WHERE r.job OPERATOR(pg_catalog.=) job_start.job
       AND r.status OPERATOR(pg_catalog.=) 'running'
       AND NOT coalesce(@extschema@.job_run_alive(r.backend_pid, r.backend_start, r.started_at), false);
    INSERT INTO @extschema@.job_run (job, args, backend_pid, backend_start)
    SELECT job_start.job, job_start.args, pg_catalog.pg_backend_pid(),
           (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a
             WHERE a.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid())
    RETURNING id;
END;
COMMENT ON FUNCTION @extschema@.job_start(text, jsonb) IS
    'records the start of a job run in o2c.job_run (with the backend''s pid and start time) and returns its id, marking the job''s runs whose backend is gone as abandoned (used by the job procedures)';

CREATE FUNCTION @extschema@.job_finish(run_id bigint, status text, rows_read bigint, rows_written bigint,
                                       error text, sqlstate text)
RETURNS void
LANGUAGE sql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
BEGIN ATOMIC
    UPDATE @extschema@.job_run
       SET finished_at = pg_catalog.clock_timestamp(), status = job_finish.status,
           rows_read = job_finish.rows_read, rows_written = job_finish.rows_written,
           error = job_finish.error, sqlstate = job_finish.sqlstate
     WHERE id = job_finish.run_id;
END;
COMMENT ON FUNCTION @extschema@.job_finish(bigint, text, bigint, bigint, text, text) IS
    'records the end of a job run in o2c.job_run (used by the job procedures)';

CREATE FUNCTION @extschema@.job_raise(message text, sqlstate text, detail text, hint text, context text)
RETURNS void
AS 'MODULE_PATHNAME', 'o2c_job_raise'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.job_raise(text, text, text, text, text) IS
    'raises a failed job''s error again with only the given context (the user''s inner query), not o2c''s own procedures (called by o2c.run_job)';

-- The lifecycle every job shares. A job is one or two functions of this
-- extension: job_<name>_read(run_id, args) (optional) reads the inner query
-- and does the heavy work into the session's temp table pg_temp.o2c_job_rows,
-- returning the rows read; job_<name>(run_id, args) then writes the outputs
-- and returns {rows_read or NULL, rows_written}. Both run in one transaction
-- under the job's transaction-level lock, so a cancel, a terminated backend or
-- a crash leaves no lock and no half-written output behind.
CREATE PROCEDURE @extschema@.run_job(job text, args jsonb, options jsonb)
LANGUAGE plpgsql
-- No SET search_path: a procedure with SET cannot COMMIT. Everything below is
-- qualified instead, operators included, so the caller's path is never used.
AS $$
DECLARE
    run_id     bigint;
    lock_key   bigint := @extschema@.job_lock_key(job);
    wait       boolean;
    keep_runs  integer;
    retries    integer;
    attempt    integer := 0;
    has_read   boolean;
    counts     bigint[];
    n_read     bigint;
    err_text   text;
    err_state  text;
    err_detail text;
    err_hint   text;
    err_context text;
BEGIN
    IF job IS NULL OR args IS NULL OR options IS NULL THEN
        RAISE EXCEPTION 'job arguments and options must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.jsonb_typeof(options) OPERATOR(pg_catalog.<>) 'object' OR EXISTS (
           SELECT 1 FROM pg_catalog.jsonb_object_keys(options) k
            WHERE k OPERATOR(pg_catalog.<>) ALL (ARRAY['wait', 'keep_runs', 'retries'])) THEN
        RAISE EXCEPTION 'invalid % options: %', job, options
            USING ERRCODE = '22023',
                  HINT = 'Known options are "wait" (boolean), "keep_runs" (integer) and "retries" (integer).';
    END IF;
    wait := coalesce((options OPERATOR(pg_catalog.->>) 'wait')::boolean, true);
    keep_runs := coalesce((options OPERATOR(pg_catalog.->>) 'keep_runs')::integer, 1000);
    retries := coalesce((options OPERATOR(pg_catalog.->>) 'retries')::integer, 3);
    IF keep_runs OPERATOR(pg_catalog.<) 1 THEN
        RAISE EXCEPTION 'keep_runs must be at least 1, not %', keep_runs USING ERRCODE = '22023';
    END IF;
    IF retries OPERATOR(pg_catalog.<) 0 OR retries OPERATOR(pg_catalog.>) 10 THEN
        RAISE EXCEPTION 'retries must be between 0 and 10, not %', retries USING ERRCODE = '22023';
    END IF;
    has_read := pg_catalog.to_regprocedure(pg_catalog.format('@extschema@.%I(bigint, jsonb)',
                    'job_' OPERATOR(pg_catalog.||) job OPERATOR(pg_catalog.||) '_read')) IS NOT NULL;

    run_id := @extschema@.job_start(job, args OPERATOR(pg_catalog.||)
                                         pg_catalog.jsonb_build_object('options', options));
    COMMIT;

    LOOP
        attempt := attempt OPERATOR(pg_catalog.+) 1;
        err_state := NULL;
        n_read := NULL;
        counts := NULL;
        -- The handler catches a cancel too (query_canceled is not among
        -- OTHERS), so a cancelled run is recorded as failed. The lock is
        -- transaction-level: whatever ends this transaction releases it.
        BEGIN
            IF wait THEN
                PERFORM pg_catalog.pg_advisory_xact_lock(lock_key);
            ELSIF NOT pg_catalog.pg_try_advisory_xact_lock(lock_key) THEN
                RAISE EXCEPTION 'another % run is in progress', job
                    USING ERRCODE = '55P03', HINT = 'Retry later, or leave the option "wait" at true to queue.';
            END IF;
            IF has_read THEN
                EXECUTE pg_catalog.format('SELECT @extschema@.%I($1, $2)',
                                          'job_' OPERATOR(pg_catalog.||) job OPERATOR(pg_catalog.||) '_read')
                   INTO n_read USING run_id, args;
            END IF;
            EXECUTE pg_catalog.format('SELECT @extschema@.%I($1, $2)', 'job_' OPERATOR(pg_catalog.||) job)
               INTO counts USING run_id, args;
            IF pg_catalog.to_regclass('pg_temp.o2c_job_rows') IS NOT NULL THEN
                DROP TABLE pg_temp.o2c_job_rows;
            END IF;
            PERFORM @extschema@.job_finish(run_id, 'succeeded', coalesce(counts[1], n_read), counts[2], NULL, NULL);
            UPDATE @extschema@.job_run SET attempts = attempt WHERE id OPERATOR(pg_catalog.=) run_id;
            -- Bounded history: keep the newest keep_runs finished runs of this job.
            DELETE FROM @extschema@.job_run j
             WHERE j.job OPERATOR(pg_catalog.=) run_job.job
               AND j.status OPERATOR(pg_catalog.<>) 'running'
               AND j.id OPERATOR(pg_catalog.<) (
                   SELECT pg_catalog.min(k.id) FROM (
                       SELECT r.id FROM @extschema@.job_run r
                        WHERE r.job OPERATOR(pg_catalog.=) run_job.job
                          AND r.status OPERATOR(pg_catalog.<>) 'running'
                        ORDER BY r.id DESC LIMIT keep_runs) k);
        EXCEPTION WHEN OTHERS OR query_canceled THEN
            GET STACKED DIAGNOSTICS err_text = MESSAGE_TEXT, err_state = RETURNED_SQLSTATE,
                                    err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT,
                                    err_context = PG_EXCEPTION_CONTEXT;
        END;
        EXIT WHEN err_state IS NULL;
        -- A fresh transaction (and snapshot) for whatever comes next.
        ROLLBACK;
        -- Deadlocks and serialization failures are retried, in a new
        -- transaction after a short randomised pause; anything else is final.
        EXIT WHEN err_state OPERATOR(pg_catalog.<>) ALL (ARRAY['40P01', '40001'])
               OR attempt OPERATOR(pg_catalog.>) retries;
        RAISE NOTICE '% run %: % (SQLSTATE %), retrying (attempt % of %)',
                     job, run_id, err_text, err_state, attempt OPERATOR(pg_catalog.+) 1, retries OPERATOR(pg_catalog.+) 1;
        PERFORM pg_catalog.pg_sleep(0.05 OPERATOR(pg_catalog.*) attempt
                                    OPERATOR(pg_catalog.*) (1 OPERATOR(pg_catalog.+) pg_catalog.random()));
    END LOOP;

    IF err_state IS NOT NULL THEN
        PERFORM @extschema@.job_finish(run_id, 'failed', n_read, NULL, err_text, err_state);
        UPDATE @extschema@.job_run SET attempts = attempt WHERE id OPERATOR(pg_catalog.=) run_id;
        COMMIT;
        -- Raised with the context that names the user's inner query, not
        -- the o2c procedures it came through.
        PERFORM @extschema@.job_raise(err_text, err_state, err_detail, err_hint,
            (SELECT pg_catalog.string_agg(l, E'\n')
               FROM pg_catalog.regexp_split_to_table(err_context, E'\n') l
              WHERE l OPERATOR(pg_catalog.~) '^inner query '));
    END IF;
    COMMIT;
    -- One line per run: what it read (when it reads) and what it wrote.
    RAISE NOTICE '% run %: % written', job, run_id,
        CASE WHEN coalesce(counts[1], n_read) IS NULL THEN ''
             ELSE coalesce(counts[1], n_read)::text OPERATOR(pg_catalog.||)
                  CASE WHEN coalesce(counts[1], n_read) OPERATOR(pg_catalog.=) 1 THEN ' row' ELSE ' rows' END
                  OPERATOR(pg_catalog.||) ' read, ' END
        OPERATOR(pg_catalog.||) coalesce(counts[2], 0)::text OPERATOR(pg_catalog.||)
            CASE WHEN counts[2] OPERATOR(pg_catalog.=) 1 THEN ' row' ELSE ' rows' END;
END
$$;
COMMENT ON PROCEDURE @extschema@.run_job(text, jsonb, jsonb) IS
    'runs the o2c job o2c.job_<job>(run_id, args) with the shared lifecycle: job_run row committed first, then one transaction under a transaction-level advisory lock per job name (options: wait, keep_runs, retries), deadlocks and serialization failures retried (default 3 times), any failure or cancel recorded and re-raised';

-- The read phase most jobs share: the invoices of args.invoices_sql, with the
-- columns a job needs, into the session's pg_temp.o2c_job_rows.
CREATE FUNCTION @extschema@.job_read_invoices(args jsonb, required text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    n_read bigint;
BEGIN
    IF pg_catalog.to_regclass('pg_temp.o2c_job_rows') IS NOT NULL THEN
        DROP TABLE pg_temp.o2c_job_rows;
    END IF;
    CREATE TEMP TABLE o2c_job_rows AS
        SELECT * FROM @extschema@.invoices_from(args OPERATOR(pg_catalog.->>) 'invoices_sql', required);
    GET DIAGNOSTICS n_read = ROW_COUNT;
    RETURN n_read;
END
$$;
COMMENT ON FUNCTION @extschema@.job_read_invoices(jsonb, text[]) IS
    'the shared read phase of the jobs: the rows of args.invoices_sql into pg_temp.o2c_job_rows; returns the rows read';

CREATE FUNCTION @extschema@.job_snapshot_aging_read(run_id bigint, args jsonb)
RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL UNSAFE
RETURN @extschema@.job_read_invoices(args, '{customer_id,due_date,open_amount}');
COMMENT ON FUNCTION @extschema@.job_snapshot_aging_read(bigint, jsonb) IS
    'the read phase of o2c.snapshot_aging: the inner query''s rows into pg_temp.o2c_job_rows (called by o2c.run_job)';

CREATE FUNCTION @extschema@.job_snapshot_aging(run_id bigint, args jsonb)
RETURNS bigint[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_as_of   date := (args OPERATOR(pg_catalog.->>) 'as_of')::date;
    v_ledger  text := args OPERATOR(pg_catalog.->>) 'ledger';
    v_bounds  integer[];
    n_written bigint;
BEGIN
    IF pg_catalog.jsonb_typeof(args OPERATOR(pg_catalog.->) 'bounds') OPERATOR(pg_catalog.=) 'array' THEN
        v_bounds := ARRAY(SELECT b::integer
                            FROM pg_catalog.jsonb_array_elements_text(args OPERATOR(pg_catalog.->) 'bounds') b);
    END IF;
    DELETE FROM @extschema@.aging_snapshot s
     WHERE s.ledger OPERATOR(pg_catalog.=) v_ledger
       AND s.as_of OPERATOR(pg_catalog.=) v_as_of;
    -- Two statements, not a CASE: an aggregate inside CASE is computed for
    -- every row anyway, and the ladder refuses NULL bounds.
    IF v_bounds IS NULL THEN
        INSERT INTO @extschema@.aging_snapshot
              (ledger, as_of, customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus,
               total, overdue, items, avg_days_past_due, undated, job_run_id)
        SELECT v_ledger, v_as_of, r.customer_id, r.currency,
               (r.a).current, (r.a).d1_30, (r.a).d31_60, (r.a).d61_90, (r.a).d91_plus,
               (r.a).total, (r.a).overdue, (r.a).items, (r.a).avg_days_past_due, (r.a).undated, run_id
          FROM (SELECT t.customer_id, coalesce(pg_catalog.upper(t.currency), 'XXX') AS currency,
                       @extschema@.aging(t.open_amount, t.due_date, v_as_of) AS a
                  FROM pg_temp.o2c_job_rows t
                 WHERE t.customer_id IS NOT NULL
                 GROUP BY 1, 2) r;
    ELSE
        INSERT INTO @extschema@.aging_snapshot
              (ledger, as_of, customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus,
               total, overdue, items, avg_days_past_due, undated, bounds, labels, amounts, job_run_id)
        SELECT v_ledger, v_as_of, r.customer_id, r.currency,
               (r.a).current, (r.a).d1_30, (r.a).d31_60, (r.a).d61_90, (r.a).d91_plus,
               (r.a).total, (r.a).overdue, (r.a).items, (r.a).avg_days_past_due, (r.a).undated,
               v_bounds, (r.l).labels, (r.l).amounts, run_id
          FROM (SELECT t.customer_id, coalesce(pg_catalog.upper(t.currency), 'XXX') AS currency,
                       @extschema@.aging(t.open_amount, t.due_date, v_as_of) AS a,
                       @extschema@.aging(t.open_amount, t.due_date, v_as_of, v_bounds) AS l
                  FROM pg_temp.o2c_job_rows t
                 WHERE t.customer_id IS NOT NULL
                 GROUP BY 1, 2) r;
    END IF;
    GET DIAGNOSTICS n_written = ROW_COUNT;
    RETURN ARRAY[NULL, n_written];
END
$$;
COMMENT ON FUNCTION @extschema@.job_snapshot_aging(bigint, jsonb) IS
    'the write phase of o2c.snapshot_aging: replaces the ledger''s snapshot for the day from pg_temp.o2c_job_rows (called by o2c.run_job)';

CREATE PROCEDURE @extschema@.snapshot_aging(
    invoices_sql text,
    as_of date DEFAULT CURRENT_DATE,
    bounds integer[] DEFAULT NULL,
    ledger text DEFAULT 'default',
    options jsonb DEFAULT '{}')
LANGUAGE plpgsql
AS $$
BEGIN
    IF invoices_sql IS NULL OR as_of IS NULL OR ledger IS NULL THEN
        RAISE EXCEPTION 'invoices_sql, as_of and ledger must not be null' USING ERRCODE = '22004';
    END IF;
    CALL @extschema@.run_job('snapshot_aging',
        pg_catalog.jsonb_build_object('invoices_sql', invoices_sql, 'as_of', as_of,
                                      'bounds', bounds, 'ledger', ledger),
        options);
END
$$;
COMMENT ON PROCEDURE @extschema@.snapshot_aging(text, date, integer[], text, jsonb) IS
    'job: per-customer aging of the inner query''s open invoices as of a date into o2c.aging_snapshot, replacing that ledger''s rows for that date; options: wait (default true: wait for a concurrent run; false: fail fast with 55P03), keep_runs (job_run history kept, default 1000), retries (of a deadlock or serialization failure, default 3)';

CREATE VIEW @extschema@.aging_trend AS
SELECT s.ledger, s.as_of, s.currency, b.bucket, b.ord AS bucket_order,
       pg_catalog.sum(b.amount) AS amount,
       pg_catalog.count(*) FILTER (WHERE b.amount OPERATOR(pg_catalog.<>) 0) AS customers
  FROM @extschema@.aging_snapshot s
 CROSS JOIN LATERAL (VALUES (1, 'current', s.current), (2, '1-30', s.d1_30), (3, '31-60', s.d31_60),
                            (4, '61-90', s.d61_90), (5, '91+', s.d91_plus)) AS b(ord, bucket, amount)
 GROUP BY s.ledger, s.as_of, s.currency, b.bucket, b.ord
 ORDER BY s.ledger, s.as_of, s.currency, b.ord;
COMMENT ON VIEW @extschema@.aging_trend IS
    'aging totals per ledger, snapshot date, currency and bucket (never adding currencies), from o2c.aging_snapshot';
COMMENT ON COLUMN @extschema@.aging_trend.bucket IS 'current, 1-30, 31-60, 61-90 or 91+';
COMMENT ON COLUMN @extschema@.aging_trend.bucket_order IS '1 to 5, to sort buckets from current to oldest';
COMMENT ON COLUMN @extschema@.aging_trend.amount IS 'exact sum of the bucket over all customers of the snapshot';
COMMENT ON COLUMN @extschema@.aging_trend.customers IS 'customers with an amount (not 0) in this bucket';

CREATE VIEW @extschema@.job_health AS
SELECT DISTINCT ON (j.job)
       j.job, j.id AS last_run_id, j.started_at AS last_started_at, j.finished_at AS last_finished_at,
       CASE WHEN j.status OPERATOR(pg_catalog.=) 'running'
                 AND NOT coalesce(@extschema@.job_run_alive(j.backend_pid, j.backend_start, j.started_at), false)
            THEN 'abandoned' ELSE j.status END AS last_status,
       j.finished_at - j.started_at AS last_duration,
       j.rows_read AS last_rows_read, j.rows_written AS last_rows_written, j.error AS last_error,
       (SELECT pg_catalog.max(k.finished_at) FROM @extschema@.job_run k
         WHERE k.job = j.job AND k.status = 'succeeded') AS last_success_at,
       (SELECT pg_catalog.count(*) FROM @extschema@.job_run k
         WHERE k.job = j.job AND k.status IN ('failed', 'abandoned')
           AND k.started_at > pg_catalog.now() - interval '7 days') AS failures_7d
  FROM @extschema@.job_run j
 ORDER BY j.job, j.id DESC;
COMMENT ON VIEW @extschema@.job_health IS
    'one row per job: its last run (status, duration, row counts, error; a run shown as running whose backend is gone or has moved on is abandoned), its last success, and failures (and abandoned runs) in the last 7 days';

-- Column comments, so BI tools and \d+ say what each column means.
COMMENT ON COLUMN @extschema@.job_run.job IS 'job name: snapshot_aging, run_dunning, run_quality_scan or run_cash_application';
COMMENT ON COLUMN @extschema@.job_run.args IS 'the arguments and options the job was called with';
COMMENT ON COLUMN @extschema@.job_run.status IS 'running, succeeded, failed, or abandoned (its backend ended or was cancelled before the run finished, found by a later run)';
COMMENT ON COLUMN @extschema@.job_run.backend_pid IS 'process id of the backend that ran the job';
COMMENT ON COLUMN @extschema@.job_run.backend_start IS 'start time of that backend, so a reused pid is not taken for it';
COMMENT ON COLUMN @extschema@.job_run.attempts IS 'attempts the run took: more than 1 when a deadlock or serialization failure was retried';
COMMENT ON COLUMN @extschema@.job_run.error IS 'error message of a failed run';
COMMENT ON COLUMN @extschema@.job_run.sqlstate IS 'SQLSTATE of a failed run (55P03: another run held the lock; 57014: cancelled; 40P01, 40001: still failing after the retries)';
COMMENT ON COLUMN @extschema@.aging_snapshot.as_of IS 'the date the invoices were aged as of';
COMMENT ON COLUMN @extschema@.aging_snapshot.current IS 'open amount not yet past due (0 or fewer days)';
COMMENT ON COLUMN @extschema@.aging_snapshot.d1_30 IS 'open amount 1 to 30 days past due';
COMMENT ON COLUMN @extschema@.aging_snapshot.d31_60 IS 'open amount 31 to 60 days past due';
COMMENT ON COLUMN @extschema@.aging_snapshot.d61_90 IS 'open amount 61 to 90 days past due';
COMMENT ON COLUMN @extschema@.aging_snapshot.d91_plus IS 'open amount more than 90 days past due';
COMMENT ON COLUMN @extschema@.aging_snapshot.total IS 'all open amounts of the customer in this currency';
COMMENT ON COLUMN @extschema@.aging_snapshot.overdue IS 'open amount past due (all buckets but current)';
COMMENT ON COLUMN @extschema@.aging_snapshot.items IS 'open items counted';
COMMENT ON COLUMN @extschema@.aging_snapshot.undated IS 'open amount of the customer''s rows without a due date: in no bucket, nor in total';
COMMENT ON COLUMN @extschema@.aging_snapshot.avg_days_past_due IS 'amount-weighted average days past due of the overdue items';
COMMENT ON COLUMN @extschema@.aging_snapshot.bounds IS 'custom bucket bounds of the run, if any (inclusive upper day counts)';
COMMENT ON COLUMN @extschema@.aging_snapshot.labels IS 'labels of the custom buckets';
COMMENT ON COLUMN @extschema@.aging_snapshot.amounts IS 'amounts of the custom buckets';
COMMENT ON COLUMN @extschema@.aging_snapshot.job_run_id IS 'the o2c.job_run that wrote the row';
COMMENT ON COLUMN @extschema@.job_health.last_status IS 'status of the newest run: running, succeeded, failed or abandoned (also when it is shown as running but its backend is gone or has moved on)';
COMMENT ON COLUMN @extschema@.job_health.last_duration IS 'finished_at - started_at of the newest run';
COMMENT ON COLUMN @extschema@.job_health.last_success_at IS 'when the job last finished successfully';
COMMENT ON COLUMN @extschema@.job_health.failures_7d IS 'failed and abandoned runs started in the last 7 days';
