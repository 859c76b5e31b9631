-- workflow: the dunning, quality-scan and cash-application jobs (each a thin
-- procedure over o2c.run_job and a job_<name> work function, as in jobs.sql),
-- their output tables, and the notice outbox announced with NOTIFY.

CREATE TABLE @extschema@.dunning_notice (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ledger      text NOT NULL DEFAULT 'default',
    invoice_id  text NOT NULL,
    customer_id text,
    policy      text NOT NULL,
    level       integer NOT NULL,
    due         date NOT NULL,
    as_of       date NOT NULL,
    amount      numeric NOT NULL,
    currency    text,
    fee         numeric NOT NULL,
    interest    numeric NOT NULL,
    action      text NOT NULL,
    job_run_id  bigint,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    sent_at     timestamptz,
    letter_id   bigint,
    UNIQUE (ledger, invoice_id, level)
);
CREATE INDEX dunning_notice_unsent ON @extschema@.dunning_notice (id) WHERE sent_at IS NULL;
CREATE INDEX dunning_notice_as_of ON @extschema@.dunning_notice (as_of, ledger);
COMMENT ON TABLE @extschema@.dunning_notice IS
    'dunning notices written by o2c.run_dunning: one row per invoice and level reached, never twice; a mailer sets sent_at once it has sent the notice';
COMMENT ON COLUMN @extschema@.dunning_notice.amount IS 'open amount of the invoice when the level was reached, less what open disputes hold';
COMMENT ON COLUMN @extschema@.dunning_notice.interest IS 'late interest on the open amount from due to as_of at the level''s annual rate (0 without a rate)';
COMMENT ON COLUMN @extschema@.dunning_notice.sent_at IS 'when the notice was sent; NULL while it waits in the outbox';
COMMENT ON COLUMN @extschema@.dunning_notice.letter_id IS 'the o2c.dunning_letter that carries it, when a template was found: the mailer sends the letter, not the notice';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_notice', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_notice_id_seq', '');
-- job_run_id refers to job_run.id (on delete set null): as in jobs.sql.
CREATE TRIGGER dunning_notice_job_run_check AFTER INSERT ON @extschema@.dunning_notice
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_check('job_run_id', '@extschema@.job_run', 'id');
CREATE TRIGGER dunning_notice_job_run_check_update AFTER UPDATE OF job_run_id ON @extschema@.dunning_notice
    FOR EACH ROW WHEN (NEW.job_run_id IS DISTINCT FROM OLD.job_run_id)
    EXECUTE FUNCTION @extschema@.reference_check('job_run_id', '@extschema@.job_run', 'id');
CREATE TRIGGER dunning_notice_job_run_delete AFTER DELETE ON @extschema@.job_run
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.dunning_notice', 'job_run_id', 'set null');
CREATE TRIGGER dunning_notice_job_run_truncate AFTER TRUNCATE ON @extschema@.job_run
    FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.dunning_notice', 'job_run_id', 'set null');
CREATE TRIGGER dunning_notice_job_run_renumber AFTER UPDATE OF id ON @extschema@.job_run
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.dunning_notice', 'job_run_id', 'set null');

CREATE TABLE @extschema@.dunning_letter (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ledger      text NOT NULL DEFAULT 'default',
    customer_id text,
    currency    text,
    level       integer NOT NULL,
    language    text NOT NULL,
    subject     text NOT NULL,
    body_text   text NOT NULL,
    body_html   text,
    notice_ids  bigint[] NOT NULL,
    job_run_id  bigint,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    sent_at     timestamptz
);
CREATE INDEX dunning_letter_unsent ON @extschema@.dunning_letter (id) WHERE sent_at IS NULL;
COMMENT ON TABLE @extschema@.dunning_letter IS
    'dunning letters written by o2c.run_dunning when a template of the customer''s language exists: one per customer and currency of a run, covering its new notices (notice_ids); a mailer sends it as it is and sets sent_at, which marks its notices sent too';
COMMENT ON COLUMN @extschema@.dunning_letter.level IS 'the highest level among its notices (the template chosen)';
COMMENT ON COLUMN @extschema@.dunning_letter.language IS 'the template''s language: the customer''s (the invoices query''s language column), else en';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_letter', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_letter_id_seq', '');

-- A letter sent is its notices sent.
CREATE FUNCTION @extschema@.dunning_letter_sent()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE @extschema@.dunning_notice n SET sent_at = NEW.sent_at
     WHERE n.id OPERATOR(pg_catalog.=) ANY (NEW.notice_ids)
       AND n.sent_at IS DISTINCT FROM NEW.sent_at;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.dunning_letter_sent() IS
    'trigger: setting (or clearing) a dunning letter''s sent_at does the same to its notices';
CREATE TRIGGER dunning_letter_sent AFTER UPDATE OF sent_at ON @extschema@.dunning_letter
    FOR EACH ROW WHEN (NEW.sent_at IS DISTINCT FROM OLD.sent_at)
    EXECUTE FUNCTION @extschema@.dunning_letter_sent();

CREATE TABLE @extschema@.cash_match (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ledger         text NOT NULL DEFAULT 'default',
    payment_id     text NOT NULL,
    invoice_id     text,
    applied_amount numeric NOT NULL,
    score          double precision,
    rule           text NOT NULL,
    status         text NOT NULL CHECK (status IN ('auto', 'suggested')),
    job_run_id     bigint,
    matched_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    sent_at        timestamptz,
    UNIQUE NULLS NOT DISTINCT (ledger, payment_id, invoice_id)
);
CREATE INDEX cash_match_invoice ON @extschema@.cash_match (ledger, invoice_id);
CREATE INDEX cash_match_unsent ON @extschema@.cash_match (id) WHERE sent_at IS NULL AND status = 'auto';
COMMENT ON TABLE @extschema@.cash_match IS
    'cash applications written by o2c.run_cash_application: the latest run''s application of each payment (invoice NULL for an unapplied remainder), auto or suggested';
COMMENT ON COLUMN @extschema@.cash_match.status IS 'auto: applied automatically (score cleared the threshold and margin); suggested: for a person to confirm';
COMMENT ON COLUMN @extschema@.cash_match.sent_at IS 'when an auto application was announced downstream; NULL while it waits in the outbox';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cash_match', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cash_match_id_seq', '');
-- job_run_id refers to job_run.id (on delete set null): as in jobs.sql.
CREATE TRIGGER cash_match_job_run_check AFTER INSERT ON @extschema@.cash_match
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_check('job_run_id', '@extschema@.job_run', 'id');
-- Every run rewrites job_run_id in all the rows it upserts: checked per
-- statement, not per row.
CREATE TRIGGER cash_match_job_run_check_update AFTER UPDATE ON @extschema@.cash_match
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_check('job_run_id', '@extschema@.job_run', 'id', 'id');
CREATE TRIGGER cash_match_job_run_delete AFTER DELETE ON @extschema@.job_run
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.cash_match', 'job_run_id', 'set null');
CREATE TRIGGER cash_match_job_run_truncate AFTER TRUNCATE ON @extschema@.job_run
    FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.cash_match', 'job_run_id', 'set null');
CREATE TRIGGER cash_match_job_run_renumber AFTER UPDATE OF id ON @extschema@.job_run
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.cash_match', 'job_run_id', 'set null');

-- The outbox: NOTIFY is transactional, so a listener hears of a notice or an
-- auto match only once the job's transaction commits, never of a rolled-back one.
CREATE FUNCTION @extschema@.notify_outbox()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('o2c_notice',
        pg_catalog.json_build_object('table', TG_TABLE_NAME, 'id', NEW.id)::text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.notify_outbox() IS
    'trigger: NOTIFY o2c_notice with {"table": ..., "id": ...} for a new dunning notice or auto cash match (delivered on commit)';

CREATE TRIGGER notify_outbox AFTER INSERT ON @extschema@.dunning_notice
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notify_outbox();
CREATE TRIGGER notify_outbox AFTER INSERT OR UPDATE OF status ON @extschema@.cash_match
    FOR EACH ROW WHEN (NEW.status = 'auto' AND NEW.sent_at IS NULL)
    EXECUTE FUNCTION @extschema@.notify_outbox();

CREATE VIEW @extschema@.outbox AS
SELECT 'dunning_notice'::text AS table_name, n.id, n.created_at,
       pg_catalog.format('dunning level %s (%s) for invoice %s: %s open, fee %s%s',
                         n.level, n.action, n.invoice_id, pg_catalog.concat_ws(' ', n.amount, n.currency), n.fee,
                         CASE WHEN n.interest OPERATOR(pg_catalog.<>) 0
                              THEN ', interest ' OPERATOR(pg_catalog.||) n.interest ELSE '' END) AS summary
  FROM @extschema@.dunning_notice n
 WHERE n.sent_at IS NULL AND n.letter_id IS NULL
UNION ALL
SELECT 'dunning_letter', l.id, l.created_at,
       pg_catalog.format('dunning letter (%s, level %s) to %s: %s', l.language, l.level,
                         coalesce(l.customer_id, '-'), l.subject)
  FROM @extschema@.dunning_letter l
 WHERE l.sent_at IS NULL
UNION ALL
SELECT 'cash_match', m.id, m.matched_at,
       pg_catalog.format('payment %s applied %s to invoice %s (%s)',
                         m.payment_id, m.applied_amount, coalesce(m.invoice_id, '-'), m.rule)
  FROM @extschema@.cash_match m
 WHERE m.status OPERATOR(pg_catalog.=) 'auto' AND m.sent_at IS NULL;
COMMENT ON VIEW @extschema@.outbox IS
    'what a mailer has still to send: dunning letters, dunning notices no letter carries, and auto cash matches, whose sent_at is NULL';
COMMENT ON COLUMN @extschema@.outbox.table_name IS 'dunning_letter, dunning_notice or cash_match: the table to set sent_at in';
COMMENT ON COLUMN @extschema@.outbox.summary IS 'one line saying what the row is about';

-- Dunning ------------------------------------------------------------------

CREATE FUNCTION @extschema@.job_run_dunning_read(run_id bigint, args jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    -- Fails with 22023 naming the policy when it has no levels.
    PERFORM @extschema@.dunning_level((args OPERATOR(pg_catalog.->>) 'as_of')::date,
                                      (args OPERATOR(pg_catalog.->>) 'as_of')::date,
                                      args OPERATOR(pg_catalog.->>) 'policy');
    RETURN @extschema@.job_read_invoices(args, '{invoice_id,due_date,open_amount}');
END
$$;
COMMENT ON FUNCTION @extschema@.job_run_dunning_read(bigint, jsonb) IS
    'the read phase of o2c.run_dunning: the inner query''s rows into pg_temp.o2c_job_rows (called by o2c.run_job)';

CREATE FUNCTION @extschema@.job_run_dunning(run_id bigint, args jsonb)
RETURNS bigint[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_as_of   date := (args OPERATOR(pg_catalog.->>) 'as_of')::date;
    v_policy  text := args OPERATOR(pg_catalog.->>) 'policy';
    v_ledger  text := args OPERATOR(pg_catalog.->>) 'ledger';
    v_grace    integer;
    v_escalate boolean;
    v_max_level integer;
    grp        record;
    tpl        record;
    v_vals     jsonb;
    v_letter   bigint;
    n_written bigint;
BEGIN

    SELECT coalesce((SELECT c.promise_grace_days FROM @extschema@.collection_policy c
                      WHERE c.policy OPERATOR(pg_catalog.=) v_policy), 3),
           coalesce((SELECT c.escalate_broken_promises FROM @extschema@.collection_policy c
                      WHERE c.policy OPERATOR(pg_catalog.=) v_policy), true),
           (SELECT pg_catalog.max(d.level) FROM @extschema@.dunning_policy d
             WHERE d.policy OPERATOR(pg_catalog.=) v_policy)
      INTO v_grace, v_escalate, v_max_level;

    -- A level is noticed once per invoice; levels skipped while the job did
    -- not run are not sent late (the highest level reached is). An invoice
    -- an open promise covers waits until the promise's grace days are over;
    -- a customer's broken promise (not yet used) raises the level of its
    -- overdue invoices by one, once; what open disputes hold of an invoice
    -- is not dunned (nor charged interest on).
    WITH written AS (
    INSERT INTO @extschema@.dunning_notice
          (ledger, invoice_id, customer_id, policy, level, due, as_of, amount, currency,
           fee, interest, action, job_run_id)
    SELECT v_ledger, r.invoice_id, r.customer_id, v_policy, r.level, r.due_date, v_as_of,
           r.undisputed, pg_catalog.upper(r.currency),
           coalesce((SELECT f.fee FROM @extschema@.dunning_fee f
                      WHERE f.policy OPERATOR(pg_catalog.=) v_policy AND f.level OPERATOR(pg_catalog.=) r.level
                        AND f.currency OPERATOR(pg_catalog.=) pg_catalog.upper(r.currency)), p.fee),
           CASE WHEN p.annual_interest_rate IS NULL THEN 0.00
                WHEN r.currency IS NULL THEN
                    @extschema@.late_interest(r.undisputed, r.due_date, v_as_of, p.annual_interest_rate)
                ELSE @extschema@.late_interest(r.undisputed, r.due_date, v_as_of, p.annual_interest_rate,
                                               'act/365', r.currency) END,
           p.action, run_id
      FROM (SELECT l.*,
                   CASE WHEN l.base_level OPERATOR(pg_catalog.>=) 1 AND v_escalate AND EXISTS (
                            SELECT 1 FROM @extschema@.promise b
                             WHERE b.ledger OPERATOR(pg_catalog.=) v_ledger
                               AND b.status OPERATOR(pg_catalog.=) 'broken' AND b.escalated_run IS NULL
                               AND b.customer_id OPERATOR(pg_catalog.=) l.customer_id
                               AND b.currency OPERATOR(pg_catalog.=) pg_catalog.upper(l.currency))
                        THEN LEAST(l.base_level OPERATOR(pg_catalog.+) 1, v_max_level)
                        ELSE l.base_level END AS level
              FROM (SELECT t.*, @extschema@.dunning_level(t.due_date, v_as_of, v_policy) AS base_level,
                           t.open_amount OPERATOR(pg_catalog.-) coalesce((
                               SELECT pg_catalog.sum(g.amount) FROM @extschema@.dispute g
                                WHERE g.ledger OPERATOR(pg_catalog.=) v_ledger
                                  AND g.status OPERATOR(pg_catalog.=) 'open'
                                  AND g.invoice_id OPERATOR(pg_catalog.=) t.invoice_id), 0) AS undisputed
                      FROM pg_temp.o2c_job_rows t
                     WHERE t.open_amount OPERATOR(pg_catalog.>) 0 AND t.invoice_id IS NOT NULL
                       AND t.due_date IS NOT NULL
                       AND NOT EXISTS (
                           SELECT 1 FROM @extschema@.promise h
                            WHERE h.ledger OPERATOR(pg_catalog.=) v_ledger
                              AND h.status OPERATOR(pg_catalog.=) 'open'
                              AND h.promised_on OPERATOR(pg_catalog.<=) v_as_of
                              AND v_as_of OPERATOR(pg_catalog.<=) (h.due_on OPERATOR(pg_catalog.+) v_grace)
                              AND CASE WHEN h.invoice_ids IS NOT NULL
                                       THEN t.invoice_id OPERATOR(pg_catalog.=) ANY (h.invoice_ids)
                                       ELSE h.customer_id OPERATOR(pg_catalog.=) t.customer_id
                                            AND h.currency OPERATOR(pg_catalog.=) pg_catalog.upper(t.currency) END)) l) r
      JOIN @extschema@.dunning_policy p
        ON p.policy OPERATOR(pg_catalog.=) v_policy AND p.level OPERATOR(pg_catalog.=) r.level
     WHERE r.undisputed OPERATOR(pg_catalog.>) 0
       AND NOT EXISTS (SELECT 1 FROM @extschema@.dunning_notice n
                        WHERE n.ledger OPERATOR(pg_catalog.=) v_ledger
                          AND n.invoice_id OPERATOR(pg_catalog.=) r.invoice_id
                          AND n.level OPERATOR(pg_catalog.>=) r.level)
    ON CONFLICT (ledger, invoice_id, level) DO NOTHING
    RETURNING customer_id, currency, level),
    escalated AS (
        UPDATE @extschema@.promise b SET escalated_run = run_id
         WHERE b.ledger OPERATOR(pg_catalog.=) v_ledger
           AND b.status OPERATOR(pg_catalog.=) 'broken' AND b.escalated_run IS NULL AND v_escalate
           AND EXISTS (SELECT 1 FROM written w
                        WHERE w.customer_id OPERATOR(pg_catalog.=) b.customer_id
                          AND w.currency OPERATOR(pg_catalog.=) b.currency)
        RETURNING 1)
    SELECT (SELECT pg_catalog.count(*) FROM written) INTO n_written;

    -- One letter per customer and currency for the notices of this run,
    -- from the template of the highest level (or of any level) in the
    -- customer's language, else in English; none without a template.
    FOR grp IN
        SELECT n.customer_id, n.currency, pg_catalog.max(n.level) AS level,
               pg_catalog.array_agg(n.id ORDER BY n.id) AS ids,
               (SELECT t.language FROM pg_temp.o2c_job_rows t
                 WHERE t.customer_id OPERATOR(pg_catalog.=) n.customer_id AND t.language IS NOT NULL LIMIT 1) AS language,
               (SELECT t.customer_name FROM pg_temp.o2c_job_rows t
                 WHERE t.customer_id OPERATOR(pg_catalog.=) n.customer_id AND t.customer_name IS NOT NULL LIMIT 1) AS name
          FROM @extschema@.dunning_notice n
         WHERE n.job_run_id OPERATOR(pg_catalog.=) run_id AND n.letter_id IS NULL
         GROUP BY n.customer_id, n.currency
         ORDER BY n.customer_id, n.currency
    LOOP
        SELECT * INTO tpl FROM @extschema@.letter_template lt
         WHERE lt.kind OPERATOR(pg_catalog.=) 'dunning'
           AND lt.language IN (coalesce(grp.language, 'en'), 'en')
           AND lt.level IN (grp.level, 0)
         ORDER BY lt.language OPERATOR(pg_catalog.=) coalesce(grp.language, 'en') DESC,
                  lt.level OPERATOR(pg_catalog.=) grp.level DESC
         LIMIT 1;
        CONTINUE WHEN NOT FOUND;
        SELECT pg_catalog.jsonb_build_object(
                   'customer_id', coalesce(grp.customer_id, ''), 'customer_name', coalesce(grp.name, grp.customer_id, ''),
                   'level', grp.level,
                   'action', (SELECT d.action FROM @extschema@.dunning_policy d
                               WHERE d.policy OPERATOR(pg_catalog.=) v_policy AND d.level OPERATOR(pg_catalog.=) grp.level),
                   'as_of', v_as_of::text, 'currency', coalesce(grp.currency, ''),
                   'items', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                'invoice_id', n.invoice_id, 'due_date', n.due::text, 'amount', n.amount::text,
                                'currency', coalesce(n.currency, ''),
                                'days_overdue', (v_as_of OPERATOR(pg_catalog.-) n.due)::text) ORDER BY n.due, n.invoice_id),
                   'invoice_count', pg_catalog.count(*),
                   'total_open', pg_catalog.sum(n.amount)::text, 'total_fee', pg_catalog.sum(n.fee)::text,
                   'total_interest', pg_catalog.sum(n.interest)::text,
                   'total_due', (pg_catalog.sum(n.amount) OPERATOR(pg_catalog.+) pg_catalog.sum(n.fee)
                                 OPERATOR(pg_catalog.+) pg_catalog.sum(n.interest))::text,
                   'reference', coalesce(grp.customer_id, ''))
          INTO v_vals
          FROM @extschema@.dunning_notice n
         WHERE n.id OPERATOR(pg_catalog.=) ANY (grp.ids);
        INSERT INTO @extschema@.dunning_letter
              (ledger, customer_id, currency, level, language, subject, body_text, body_html, notice_ids, job_run_id)
        VALUES (v_ledger, grp.customer_id, grp.currency, grp.level, tpl.language,
                @extschema@.render_letter(tpl.subject, v_vals),
                @extschema@.render_letter(tpl.body_text, v_vals),
                CASE WHEN tpl.body_html IS NOT NULL THEN @extschema@.render_letter(tpl.body_html, v_vals, true) END,
                grp.ids, run_id)
        RETURNING id INTO v_letter;
        UPDATE @extschema@.dunning_notice n SET letter_id = v_letter WHERE n.id OPERATOR(pg_catalog.=) ANY (grp.ids);
    END LOOP;
    RETURN ARRAY[NULL, n_written];
END
$$;
COMMENT ON FUNCTION @extschema@.job_run_dunning(bigint, jsonb) IS
    'the write phase of o2c.run_dunning: notices for the levels newly reached, on the amount no open dispute holds, holding invoices an open promise covers and raising a level for a broken promise (called by o2c.run_job)';

CREATE PROCEDURE @extschema@.run_dunning(
    invoices_sql text,
    policy text,
    as_of date DEFAULT CURRENT_DATE,
    ledger text DEFAULT 'default',
    options jsonb DEFAULT '{}')
LANGUAGE plpgsql
AS $$
BEGIN
    IF invoices_sql IS NULL OR policy IS NULL OR as_of IS NULL OR ledger IS NULL THEN
        RAISE EXCEPTION 'invoices_sql, policy, as_of and ledger must not be null' USING ERRCODE = '22004';
    END IF;
    CALL @extschema@.run_job('run_dunning',
        pg_catalog.jsonb_build_object('invoices_sql', invoices_sql, 'policy', policy,
                                      'as_of', as_of, 'ledger', ledger),
        options);
END
$$;
COMMENT ON PROCEDURE @extschema@.run_dunning(text, text, date, text, jsonb) IS
    'job: writes o2c.dunning_notice for the dunning levels of a policy that the inner query''s open invoices newly reached as of a date (each level once per invoice); options: wait, keep_runs, retries';

-- Promises to pay -------------------------------------------------------------

CREATE FUNCTION @extschema@.job_run_promise_check(run_id bigint, args jsonb)
RETURNS bigint[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_policy text := args OPERATOR(pg_catalog.->>) 'policy';
    v_grace  integer := 3;
BEGIN
    IF v_policy IS NOT NULL THEN
        SELECT c.promise_grace_days INTO v_grace FROM @extschema@.collection_policy c
         WHERE c.policy OPERATOR(pg_catalog.=) v_policy;
        v_grace := coalesce(v_grace, 3);
    END IF;
    RETURN ARRAY[NULL, @extschema@.settle_promises(args OPERATOR(pg_catalog.->>) 'payments_sql',
                                                   (args OPERATOR(pg_catalog.->>) 'as_of')::date, v_grace,
                                                   args OPERATOR(pg_catalog.->>) 'ledger', run_id)];
END
$$;
COMMENT ON FUNCTION @extschema@.job_run_promise_check(bigint, jsonb) IS
    'the work of o2c.run_promise_check: o2c.settle_promises with the policy''s grace days (called by o2c.run_job)';

CREATE PROCEDURE @extschema@.run_promise_check(
    payments_sql text,
    as_of date DEFAULT CURRENT_DATE,
    policy text DEFAULT NULL,
    ledger text DEFAULT 'default',
    options jsonb DEFAULT '{}')
LANGUAGE plpgsql
AS $$
BEGIN
    IF payments_sql IS NULL OR as_of IS NULL OR ledger IS NULL OR options IS NULL THEN
        RAISE EXCEPTION 'payments_sql, as_of, ledger and options must not be null' USING ERRCODE = '22004';
    END IF;
    CALL @extschema@.run_job('run_promise_check',
        pg_catalog.jsonb_build_object('payments_sql', payments_sql, 'as_of', as_of,
                                      'policy', policy, 'ledger', ledger),
        options);
END
$$;
COMMENT ON PROCEDURE @extschema@.run_promise_check(text, date, text, text, jsonb) IS
    'job: checks the open promises of a ledger against the payments of the inner query as of a date (o2c.settle_promises), with the grace days of the named collection policy (3 without one); idempotent; options: wait, keep_runs, retries';

-- Quality scan ---------------------------------------------------------------

CREATE FUNCTION @extschema@.job_run_quality_scan_read(run_id bigint, args jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    IF pg_catalog.to_regclass('pg_temp.o2c_job_rows') IS NOT NULL THEN
        DROP TABLE pg_temp.o2c_job_rows;
    END IF;
    CREATE TEMP TABLE o2c_job_rows AS
        SELECT q.invoice_id, q.rule, q.severity, q.detail
          FROM @extschema@.quality_scan(args OPERATOR(pg_catalog.->>) 'invoices_sql',
                                        args OPERATOR(pg_catalog.->) 'scan_options') q;
    RETURN @extschema@.quality_scan_rows();
END
$$;
COMMENT ON FUNCTION @extschema@.job_run_quality_scan_read(bigint, jsonb) IS
    'the read phase of o2c.run_quality_scan: the scan''s findings into pg_temp.o2c_job_rows (called by o2c.run_job)';

CREATE FUNCTION @extschema@.job_run_quality_scan(run_id bigint, args jsonb)
RETURNS bigint[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_source  text := args OPERATOR(pg_catalog.->>) 'source';
    n_written bigint;
BEGIN
    -- The scan's findings replace the previous scan's of the same source.
    DELETE FROM @extschema@.finding f WHERE f.source OPERATOR(pg_catalog.=) v_source;
    INSERT INTO @extschema@.finding (source, row_key, rule, severity, detail)
    SELECT v_source, q.invoice_id, q.rule, q.severity, q.detail FROM pg_temp.o2c_job_rows q;
    GET DIAGNOSTICS n_written = ROW_COUNT;
    RETURN ARRAY[NULL, n_written];
END
$$;
COMMENT ON FUNCTION @extschema@.job_run_quality_scan(bigint, jsonb) IS
    'the write phase of o2c.run_quality_scan: replaces the findings of the source (called by o2c.run_job)';

CREATE PROCEDURE @extschema@.run_quality_scan(
    invoices_sql text,
    options jsonb DEFAULT '{}',
    source text DEFAULT 'quality_scan',
    job_options jsonb DEFAULT '{}')
LANGUAGE plpgsql
AS $$
BEGIN
    IF invoices_sql IS NULL OR options IS NULL OR source IS NULL THEN
        RAISE EXCEPTION 'invoices_sql, options and source must not be null' USING ERRCODE = '22004';
    END IF;
    CALL @extschema@.run_job('run_quality_scan',
        pg_catalog.jsonb_build_object('invoices_sql', invoices_sql, 'scan_options', options,
                                      'source', source),
        job_options);
END
$$;
COMMENT ON PROCEDURE @extschema@.run_quality_scan(text, jsonb, text, jsonb) IS
    'job: o2c.quality_scan over the inner query into o2c.finding, replacing the findings of the previous scan of the same source; options go to quality_scan, job_options (wait, keep_runs, retries) to the job';

-- Cash application -----------------------------------------------------------

CREATE FUNCTION @extschema@.job_run_cash_application_read(run_id bigint, args jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    n_read bigint;
BEGIN
    IF pg_catalog.to_regclass('pg_temp.o2c_job_rows') IS NOT NULL THEN
        DROP TABLE pg_temp.o2c_job_rows;
    END IF;
    -- Lock every unsent row of the ledger first, in id order (the order the
    -- README's mailer recipe claims them in, so the two never wait on each
    -- other crosswise). A row a mailer marks sent meanwhile is waited for and
    -- then left alone; once locked, no row can be sent while this run reads
    -- and rewrites the applications, so what the read takes as unsent is
    -- still unsent when the write replaces it.
    PERFORM FROM @extschema@.cash_match c
      WHERE c.ledger OPERATOR(pg_catalog.=) (args OPERATOR(pg_catalog.->>) 'ledger')
        AND c.sent_at IS NULL
      ORDER BY c.id
        FOR UPDATE OF c;
    -- A payment with a sent application keeps it as it is: match_payments
    -- does not match it again and, while it is still among the payments
    -- read, takes its amounts off the invoices (option applied_sql).
    CREATE TEMP TABLE o2c_job_rows AS
        SELECT * FROM @extschema@.match_payments(args OPERATOR(pg_catalog.->>) 'payments_sql',
            args OPERATOR(pg_catalog.->>) 'invoices_sql',
            (args OPERATOR(pg_catalog.->) 'match_options') OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('applied_sql',
                pg_catalog.format('SELECT c.payment_id, c.invoice_id, c.applied_amount AS amount
                                     FROM @extschema@.cash_match c
                                    WHERE c.ledger OPERATOR(pg_catalog.=) %L
                                      AND EXISTS (SELECT 1 FROM @extschema@.cash_match s
                                                   WHERE s.ledger OPERATOR(pg_catalog.=) c.ledger
                                                     AND s.payment_id OPERATOR(pg_catalog.=) c.payment_id
                                                     AND s.sent_at IS NOT NULL)',
                                  args OPERATOR(pg_catalog.->>) 'ledger')));
    SELECT pg_catalog.count(DISTINCT m.payment_id) INTO n_read FROM pg_temp.o2c_job_rows m;
    RETURN n_read;
END
$$;
COMMENT ON FUNCTION @extschema@.job_run_cash_application_read(bigint, jsonb) IS
    'the read phase of o2c.run_cash_application: match_payments into pg_temp.o2c_job_rows, returning the payments read (called by o2c.run_job)';

CREATE FUNCTION @extschema@.job_run_cash_application(run_id bigint, args jsonb)
RETURNS bigint[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_ledger  text := args OPERATOR(pg_catalog.->>) 'ledger';
    n_written bigint;
BEGIN

    -- The latest run's application of a payment replaces the previous one
    -- (its rows were locked by the read phase).
    DELETE FROM @extschema@.cash_match c
     WHERE c.ledger OPERATOR(pg_catalog.=) v_ledger
       AND c.payment_id OPERATOR(pg_catalog.=) ANY (SELECT m.payment_id FROM pg_temp.o2c_job_rows m)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.o2c_job_rows m
                        WHERE m.payment_id OPERATOR(pg_catalog.=) c.payment_id
                          AND (m.invoice_id OPERATOR(pg_catalog.=) c.invoice_id
                               OR (m.invoice_id IS NULL AND c.invoice_id IS NULL)));
    INSERT INTO @extschema@.cash_match
          (ledger, payment_id, invoice_id, applied_amount, score, rule, status, job_run_id)
    SELECT v_ledger, m.payment_id, m.invoice_id, m.applied_amount, m.score, m.rule,
           CASE WHEN m.auto THEN 'auto' ELSE 'suggested' END, run_id
      FROM pg_temp.o2c_job_rows m
    ON CONFLICT (ledger, payment_id, invoice_id) DO UPDATE
       SET applied_amount = EXCLUDED.applied_amount, score = EXCLUDED.score, rule = EXCLUDED.rule,
           status = EXCLUDED.status, job_run_id = EXCLUDED.job_run_id;
    GET DIAGNOSTICS n_written = ROW_COUNT;
    RETURN ARRAY[NULL, n_written];
END
$$;
COMMENT ON FUNCTION @extschema@.job_run_cash_application(bigint, jsonb) IS
    'the write phase of o2c.run_cash_application: each payment''s application replaces the previous one, except a payment with a sent application, which keeps it (called by o2c.run_job)';

CREATE PROCEDURE @extschema@.run_cash_application(
    payments_sql text,
    invoices_sql text,
    options jsonb DEFAULT '{}',
    ledger text DEFAULT 'default',
    job_options jsonb DEFAULT '{}')
LANGUAGE plpgsql
AS $$
BEGIN
    IF payments_sql IS NULL OR invoices_sql IS NULL OR options IS NULL OR ledger IS NULL THEN
        RAISE EXCEPTION 'payments_sql, invoices_sql, options and ledger must not be null' USING ERRCODE = '22004';
    END IF;
    CALL @extschema@.run_job('run_cash_application',
        pg_catalog.jsonb_build_object('payments_sql', payments_sql, 'invoices_sql', invoices_sql,
                                      'match_options', options, 'ledger', ledger),
        job_options);
END
$$;
COMMENT ON PROCEDURE @extschema@.run_cash_application(text, text, jsonb, text, jsonb) IS
    'job: o2c.match_payments into o2c.cash_match (auto or suggested, with the run id), the latest run''s application of each payment replacing the previous one; a payment with a sent application keeps it, and its amounts stay taken off the invoices while the payment is still read; options go to match_payments, job_options (wait, keep_runs, retries) to the job';

-- The checks of collection_worklist's arguments, its first statement.
CREATE FUNCTION @extschema@.collection_worklist_check(invoices_sql text, as_of date, options jsonb)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    v_text text;
BEGIN
    IF invoices_sql IS NULL OR as_of IS NULL OR options IS NULL THEN
        RAISE EXCEPTION 'invoices_sql, as_of and options must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.jsonb_typeof(options) OPERATOR(pg_catalog.<>) 'object' OR EXISTS (
           SELECT 1 FROM pg_catalog.jsonb_object_keys(options) k
            WHERE k OPERATOR(pg_catalog.<>) ALL (ARRAY['risk_model', 'history_sql', 'reporting_currency'])) THEN
        -- a short prefix of the value, as o2c's C messages quote one
        v_text := options::text;
        IF pg_catalog.length(v_text) OPERATOR(pg_catalog.>) 64 THEN
            v_text := pg_catalog.format('%s... (%s characters)', pg_catalog.left(v_text, 64), pg_catalog.length(v_text));
        END IF;
        RAISE EXCEPTION 'invalid collection_worklist options: %', v_text
            USING ERRCODE = '22023', HINT = 'Known options are "risk_model", "history_sql" and "reporting_currency".';
    END IF;
    IF options OPERATOR(pg_catalog.?) 'reporting_currency'
       AND pg_catalog.jsonb_typeof(options OPERATOR(pg_catalog.->) 'reporting_currency') OPERATOR(pg_catalog.<>) 'null' THEN
        IF pg_catalog.jsonb_typeof(options OPERATOR(pg_catalog.->) 'reporting_currency') OPERATOR(pg_catalog.<>) 'string' THEN
            RAISE EXCEPTION 'reporting_currency must be a string, not %', options OPERATOR(pg_catalog.->) 'reporting_currency'
                USING ERRCODE = '22023', HINT = 'Give an ISO 4217 code such as "EUR".';
        END IF;
        PERFORM @extschema@.currency_minor_units(options OPERATOR(pg_catalog.->>) 'reporting_currency');
    END IF;
    IF (options OPERATOR(pg_catalog.->>) 'risk_model' IS NULL) OPERATOR(pg_catalog.<>)
       (options OPERATOR(pg_catalog.->>) 'history_sql' IS NULL) THEN
        RAISE EXCEPTION 'risk_model and history_sql go together'
            USING ERRCODE = '22023', HINT = 'Give both, or neither.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.collection_worklist_check(text, date, jsonb) IS
    'the argument checks of o2c.collection_worklist: no NULLs, options only risk_model and history_sql (both or neither) and reporting_currency (a known currency code)';

-- The worklist with options: a dunning policy (or NULL for none) and a risk
-- model ({"risk_model": name, "history_sql": query}). With a model, each
-- customer's priority is its money-days overdue weighted by 1 + the highest
-- late-payment probability among its open invoices, and the reason names the
-- features that raised it. A SQL function, not PL/pgSQL: an error in the
-- user's inner query then carries one line of context for it ("SQL function
-- ... statement 2"), where PL/pgSQL's RETURN QUERY added the whole statement.
CREATE FUNCTION @extschema@.collection_worklist(invoices_sql text, as_of date, policy text, options jsonb)
RETURNS TABLE (currency text, priority_rank bigint, customer_id text, customer_name text,
               dunning_level integer, risk_grade text, late_probability numeric,
               overdue numeric, d91_plus numeric, overdue_items bigint,
               oldest_days_past_due integer, avg_days_past_due numeric,
               priority numeric, reason text)
LANGUAGE sql VOLATILE PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT @extschema@.collection_worklist_check(invoices_sql, as_of, options);
    WITH rc AS (
        SELECT pg_catalog.upper(pg_catalog.btrim(options OPERATOR(pg_catalog.->>) 'reporting_currency')) AS code),
    -- With a reporting currency each open amount is converted at as_of's
    -- rate (a NULL currency is none convert knows: an error, not a guess)
    -- and the customer's currencies make one row.
    rows AS (
        SELECT f.customer_id, f.customer_name,
               coalesce(rc.code, pg_catalog.upper(f.currency), 'XXX') AS currency,
               CASE WHEN rc.code IS NULL THEN f.open_amount
                    ELSE @extschema@.convert(f.open_amount, coalesce(f.currency, 'NULL'), rc.code, as_of) END AS open_amount,
               f.due_date,
               CASE WHEN policy IS NOT NULL AND f.open_amount OPERATOR(pg_catalog.>) 0
                    THEN @extschema@.dunning_level(f.due_date, as_of, policy) ELSE 0 END AS level
          FROM @extschema@.invoices_from(invoices_sql, '{customer_id,due_date,open_amount}') f
         CROSS JOIN rc
         WHERE f.customer_id IS NOT NULL AND f.due_date IS NOT NULL),
    risk AS (
        SELECT DISTINCT ON (s.customer_id) s.customer_id, s.probability, s.grade, s.reasons
          FROM @extschema@.risk_score(options OPERATOR(pg_catalog.->>) 'risk_model', options OPERATOR(pg_catalog.->>) 'history_sql', invoices_sql, as_of) s
         WHERE options OPERATOR(pg_catalog.->>) 'risk_model' IS NOT NULL
         ORDER BY s.customer_id, s.probability DESC, s.invoice_id),
    per_customer AS (
        SELECT r.customer_id, pg_catalog.max(r.customer_name) AS customer_name, r.currency,
               pg_catalog.max(r.level) AS level,
               @extschema@.aging(r.open_amount, r.due_date, as_of) AS a,
               pg_catalog.count(*) FILTER (WHERE r.due_date OPERATOR(pg_catalog.<) as_of
                                             AND r.open_amount OPERATOR(pg_catalog.>) 0) AS overdue_items,
               pg_catalog.max(as_of OPERATOR(pg_catalog.-) r.due_date)
                   FILTER (WHERE r.open_amount OPERATOR(pg_catalog.>) 0) AS oldest,
               pg_catalog.sum(r.open_amount OPERATOR(pg_catalog.*) (as_of OPERATOR(pg_catalog.-) r.due_date))
                   FILTER (WHERE r.due_date OPERATOR(pg_catalog.<) as_of) AS money_days
          FROM rows r
         GROUP BY r.customer_id, r.currency),
    ranked AS (
        SELECT p.*, k.probability, k.grade, k.reasons,
               pg_catalog.round(p.money_days OPERATOR(pg_catalog.*)
                                (1 OPERATOR(pg_catalog.+) coalesce(k.probability, 0)), 2) AS prio
          FROM per_customer p
          LEFT JOIN risk k ON k.customer_id OPERATOR(pg_catalog.=) p.customer_id
         WHERE (p.a).overdue OPERATOR(pg_catalog.>) 0)
    SELECT x.currency,
           pg_catalog.rank() OVER (PARTITION BY x.currency ORDER BY x.level DESC, x.prio DESC),
           x.customer_id, x.customer_name, x.level, x.grade, x.probability,
           (x.a).overdue, (x.a).d91_plus, x.overdue_items, x.oldest, (x.a).avg_days_past_due, x.prio,
           pg_catalog.concat_ws('; ',
               CASE WHEN policy IS NOT NULL AND x.level OPERATOR(pg_catalog.>) 0
                    THEN pg_catalog.format('dunning level %s', x.level) END,
               pg_catalog.format('%s %s overdue in %s %s, on average %s days past due, oldest %s %s',
                                 x.currency, (x.a).overdue, x.overdue_items,
                                 CASE WHEN x.overdue_items OPERATOR(pg_catalog.=) 1 THEN 'item' ELSE 'items' END,
                                 (x.a).avg_days_past_due, x.oldest,
                                 CASE WHEN x.oldest OPERATOR(pg_catalog.=) 1 THEN 'day' ELSE 'days' END),
               CASE WHEN (x.a).d91_plus OPERATOR(pg_catalog.>) 0
                    THEN pg_catalog.format('%s over 90 days', (x.a).d91_plus) END,
               CASE WHEN x.grade IS NOT NULL
                    THEN pg_catalog.format('risk grade %s (late probability %s%s)', x.grade, x.probability,
                             CASE WHEN pg_catalog.cardinality(x.reasons) OPERATOR(pg_catalog.>) 0
                                  THEN ': ' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(x.reasons, ', ')
                                  ELSE '' END) END)
      FROM ranked x
     ORDER BY x.currency, 2, x.customer_id;
END;
COMMENT ON FUNCTION @extschema@.collection_worklist(text, date, text, jsonb) IS
    'the collection worklist with a dunning policy (NULL for none) and options {"risk_model", "history_sql", "reporting_currency"}: dunning level first, then money-days overdue x (1 + the highest late-payment probability of the customer''s open invoices), with the reason in words; with reporting_currency, amounts converted at as_of''s rate and one row per customer';

-- The shorter forms are the worklist above without a risk model (and
-- without a policy), with the columns that apply to them.
CREATE FUNCTION @extschema@.collection_worklist(invoices_sql text, as_of date, policy text)
RETURNS TABLE (currency text, priority_rank bigint, customer_id text, customer_name text,
               dunning_level integer, overdue numeric, d91_plus numeric, overdue_items bigint,
               oldest_days_past_due integer, avg_days_past_due numeric,
               priority numeric, reason text)
LANGUAGE sql VOLATILE STRICT PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT w.currency, w.priority_rank, w.customer_id, w.customer_name, w.dunning_level, w.overdue,
           w.d91_plus, w.overdue_items, w.oldest_days_past_due, w.avg_days_past_due, w.priority, w.reason
      FROM @extschema@.collection_worklist(invoices_sql, as_of, policy, '{}'::jsonb) w;
END;
COMMENT ON FUNCTION @extschema@.collection_worklist(text, date, text) IS
    'the collection worklist with a dunning policy: per currency, customers at the highest dunning level reached first, then by money-days overdue, with the reason in words';

CREATE FUNCTION @extschema@.collection_worklist(invoices_sql text, as_of date)
RETURNS TABLE (currency text, priority_rank bigint, customer_id text, customer_name text,
               overdue numeric, d91_plus numeric, overdue_items bigint,
               oldest_days_past_due integer, avg_days_past_due numeric,
               priority numeric, reason text)
LANGUAGE sql VOLATILE STRICT PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT w.currency, w.priority_rank, w.customer_id, w.customer_name, w.overdue, w.d91_plus,
           w.overdue_items, w.oldest_days_past_due, w.avg_days_past_due, w.priority, w.reason
      FROM @extschema@.collection_worklist(invoices_sql, as_of, NULL::text, '{}'::jsonb) w;
END;
COMMENT ON FUNCTION @extschema@.collection_worklist(text, date) IS
    'customers with money overdue as of a date, ranked per currency by priority = money-days overdue, the exact sum of amount x days past due over the overdue items, with the reason in words';
