-- promise: promises to pay that collectors record, settled by the payments
-- that arrive (o2c.settle_promises, run as the job o2c.run_promise_check),
-- and the collection policy settings they follow.

CREATE TABLE @extschema@.collection_policy (
    policy                   text PRIMARY KEY,
    promise_grace_days       integer NOT NULL DEFAULT 3
                             CHECK (promise_grace_days OPERATOR(pg_catalog.>=) 0
                                    AND promise_grace_days OPERATOR(pg_catalog.<=) 365),
    escalate_broken_promises boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE @extschema@.collection_policy IS
    'collection settings per dunning policy name: the grace period after a promise''s due day before it is judged, and whether a broken promise raises the customer''s next dunning level; a policy without a row has the defaults (3 days, true)';
COMMENT ON COLUMN @extschema@.collection_policy.policy IS 'the dunning policy (o2c.dunning_policy.policy) these settings go with';
COMMENT ON COLUMN @extschema@.collection_policy.promise_grace_days IS 'days after a promise''s due_on that payments still count and dunning still waits';
COMMENT ON COLUMN @extschema@.collection_policy.escalate_broken_promises IS 'a broken promise raises the level of the customer''s next dunning notice by one (at most the policy''s highest)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.collection_policy', '');

CREATE TABLE @extschema@.promise (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ledger        text NOT NULL DEFAULT 'default',
    customer_id   text NOT NULL,
    currency      text NOT NULL CHECK (currency OPERATOR(pg_catalog.~) '^[A-Z]{3}$'),
    amount        numeric NOT NULL CHECK (amount OPERATOR(pg_catalog.>) 0
                                          AND amount OPERATOR(pg_catalog.<) 'Infinity'),
    promised_on   date NOT NULL,
    due_on        date NOT NULL,
    invoice_ids   text[] CHECK (invoice_ids IS NULL
                                OR (pg_catalog.cardinality(invoice_ids) OPERATOR(pg_catalog.>) 0
                                    AND pg_catalog.array_position(invoice_ids, NULL) IS NULL)),
    status        text NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'kept', 'partly_kept', 'broken', 'cancelled')),
    paid_amount   numeric NOT NULL DEFAULT 0,
    decided_on    date,
    escalated_run bigint,
    created_by    text NOT NULL DEFAULT CURRENT_USER,
    created_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    note          text,
    job_run_id    bigint,
    CHECK (due_on OPERATOR(pg_catalog.>=) promised_on AND due_on OPERATOR(pg_catalog.<) 'infinity'
           AND promised_on OPERATOR(pg_catalog.>) '-infinity')
);
CREATE INDEX promise_open ON @extschema@.promise (ledger, customer_id, currency) WHERE status OPERATOR(pg_catalog.=) 'open';
COMMENT ON TABLE @extschema@.promise IS
    'promises to pay recorded with o2c.record_promise: open until o2c.run_promise_check finds them kept (paid in full by due_on plus the grace days), partly kept or broken (not, once the grace days are over), or cancelled with o2c.cancel_promise';
COMMENT ON COLUMN @extschema@.promise.ledger IS 'the book the promise is about, as in the jobs';
COMMENT ON COLUMN @extschema@.promise.amount IS 'the amount promised, in currency';
COMMENT ON COLUMN @extschema@.promise.promised_on IS 'the day the customer made the promise: payments from that day on count';
COMMENT ON COLUMN @extschema@.promise.due_on IS 'the day the customer promised to pay by';
COMMENT ON COLUMN @extschema@.promise.invoice_ids IS 'the invoices the promise is for, or NULL for the customer''s whole balance in currency: only payments applied to these count, and only these are held from dunning';
COMMENT ON COLUMN @extschema@.promise.status IS 'open, kept, partly_kept, broken or cancelled; all but open are final';
COMMENT ON COLUMN @extschema@.promise.paid_amount IS 'what the payments counted towards it add up to (never more than amount)';
COMMENT ON COLUMN @extschema@.promise.decided_on IS 'kept: the day the last payment needed arrived; partly kept or broken: the last day of grace; cancelled: the day it was cancelled';
COMMENT ON COLUMN @extschema@.promise.escalated_run IS 'for a broken promise: the o2c.run_dunning run whose notice it raised by a level (once)';
COMMENT ON COLUMN @extschema@.promise.created_by IS 'who recorded it (the collector, for the promise KPIs)';
COMMENT ON COLUMN @extschema@.promise.job_run_id IS 'the o2c.run_promise_check run that last checked it';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.promise', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.promise_id_seq', '');

CREATE TABLE @extschema@.promise_payment (
    promise_id bigint NOT NULL,
    payment_id text NOT NULL,
    invoice_id text NOT NULL DEFAULT '',
    amount     numeric NOT NULL CHECK (amount OPERATOR(pg_catalog.>) 0),
    PRIMARY KEY (promise_id, payment_id, invoice_id)
);
COMMENT ON TABLE @extschema@.promise_payment IS
    'which payments (and the invoice each was applied to, '''' for none) counted towards which promise, and how much: a payment counts once, towards the promises due first';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.promise_payment', '');
-- promise_id refers to promise.id (on delete cascade): trigger-kept, as the
-- other references between o2c tables (reference.sql says why).
CREATE TRIGGER promise_payment_promise_check AFTER INSERT ON @extschema@.promise_payment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_check('promise_id', '@extschema@.promise', 'id');
CREATE TRIGGER promise_payment_promise_check_update AFTER UPDATE OF promise_id ON @extschema@.promise_payment
    FOR EACH ROW WHEN (NEW.promise_id IS DISTINCT FROM OLD.promise_id)
    EXECUTE FUNCTION @extschema@.reference_check('promise_id', '@extschema@.promise', 'id');
CREATE TRIGGER promise_payment_promise_delete AFTER DELETE ON @extschema@.promise
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.promise_payment', 'promise_id', 'cascade');
CREATE TRIGGER promise_payment_promise_truncate AFTER TRUNCATE ON @extschema@.promise
    FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.promise_payment', 'promise_id', 'cascade');
CREATE TRIGGER promise_payment_promise_renumber AFTER UPDATE OF id ON @extschema@.promise
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION @extschema@.reference_action('id', '@extschema@.promise_payment', 'promise_id', 'cascade');

CREATE FUNCTION @extschema@.record_promise(
    customer_id text,
    currency text,
    amount numeric,
    due_on date,
    invoice_ids text[] DEFAULT NULL,
    note text DEFAULT NULL,
    promised_on date DEFAULT CURRENT_DATE,
    ledger text DEFAULT 'default')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_id bigint;
BEGIN
    IF customer_id IS NULL OR currency IS NULL OR amount IS NULL OR due_on IS NULL
       OR promised_on IS NULL OR ledger IS NULL THEN
        RAISE EXCEPTION 'customer_id, currency, amount, due_on, promised_on and ledger must not be null'
            USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.btrim(customer_id) OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'customer_id must not be blank' USING ERRCODE = '22023';
    END IF;
    PERFORM @extschema@.amount_check(currency, amount, 'amount',
                                     'A promise is for an amount to be paid, greater than 0.');
    IF NOT pg_catalog.isfinite(due_on) OR NOT pg_catalog.isfinite(promised_on) THEN
        RAISE EXCEPTION 'due_on and promised_on must be finite dates' USING ERRCODE = '22008';
    END IF;
    IF due_on OPERATOR(pg_catalog.<) promised_on THEN
        RAISE EXCEPTION 'due_on % is before promised_on %', due_on, promised_on USING ERRCODE = '22023';
    END IF;
    IF invoice_ids IS NOT NULL AND (pg_catalog.cardinality(invoice_ids) OPERATOR(pg_catalog.=) 0
                                    OR pg_catalog.array_position(invoice_ids, NULL) IS NOT NULL) THEN
        RAISE EXCEPTION 'invoice_ids must be NULL (the whole balance) or list invoices without NULLs'
            USING ERRCODE = '22023';
    END IF;
    INSERT INTO @extschema@.promise (ledger, customer_id, currency, amount, promised_on, due_on, invoice_ids, note)
    VALUES (record_promise.ledger, record_promise.customer_id,
            pg_catalog.upper(pg_catalog.btrim(record_promise.currency)), record_promise.amount,
            record_promise.promised_on, record_promise.due_on, record_promise.invoice_ids, record_promise.note)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION @extschema@.record_promise(text, text, numeric, date, text[], text, date, text) IS
    'records a customer''s promise to pay amount in currency by due_on (for the listed invoices, or NULL for the whole balance) and returns its id; dunning holds the promised invoices while it is open';

CREATE FUNCTION @extschema@.cancel_promise(promise_id bigint, note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_status text;
BEGIN
    IF promise_id IS NULL THEN
        RAISE EXCEPTION 'promise_id must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT p.status INTO v_status FROM @extschema@.promise p
     WHERE p.id OPERATOR(pg_catalog.=) cancel_promise.promise_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'promise % does not exist', promise_id USING ERRCODE = 'P0002';
    END IF;
    IF v_status OPERATOR(pg_catalog.<>) 'open' THEN
        RAISE EXCEPTION 'promise % is %, not open', promise_id, v_status
            USING ERRCODE = '55000', HINT = 'Only an open promise can be cancelled; the others are final.';
    END IF;
    DELETE FROM @extschema@.promise_payment pp WHERE pp.promise_id OPERATOR(pg_catalog.=) cancel_promise.promise_id;
    UPDATE @extschema@.promise p
       SET status = 'cancelled', paid_amount = 0, decided_on = CURRENT_DATE,
           note = coalesce(cancel_promise.note, p.note)
     WHERE p.id OPERATOR(pg_catalog.=) cancel_promise.promise_id;
END
$$;
COMMENT ON FUNCTION @extschema@.cancel_promise(bigint, text) IS
    'cancels an open promise (an error for one that is already kept, partly kept, broken or cancelled); dunning resumes for its invoices';

-- The payments that count towards a promise: of its customer and currency,
-- received from promised_on to due_on plus the grace days and by as_of, and,
-- for a promise about invoices, applied to one of them. Each payment counts
-- once: promises are served in due_on order, each payment in received_on
-- order. Decided promises keep what they took; open ones are recomputed.
CREATE FUNCTION @extschema@.settle_promises(
    payments_sql text,
    as_of date,
    grace_days integer DEFAULT 3,
    ledger text DEFAULT 'default',
    run_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    p        record;
    r        record;
    v_need   numeric;
    v_take   numeric;
    v_last   date;
    v_status text;
    n_decided bigint := 0;
BEGIN
    IF payments_sql IS NULL OR as_of IS NULL OR grace_days IS NULL OR ledger IS NULL THEN
        RAISE EXCEPTION 'payments_sql, as_of, grace_days and ledger must not be null' USING ERRCODE = '22004';
    END IF;
    IF grace_days OPERATOR(pg_catalog.<) 0 OR grace_days OPERATOR(pg_catalog.>) 365 THEN
        RAISE EXCEPTION 'grace_days must be between 0 and 365, not %', grace_days USING ERRCODE = '22023';
    END IF;
    IF NOT pg_catalog.isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite date, not %', as_of USING ERRCODE = '22008';
    END IF;
    IF pg_catalog.to_regclass('pg_temp.o2c_promise_pay') IS NOT NULL THEN
        DROP TABLE pg_temp.o2c_promise_pay;
    END IF;
    -- A payment split over invoices (as cash_match has it) is one row per
    -- invoice; what decided promises took of each is already spent.
    CREATE TEMP TABLE o2c_promise_pay AS
    SELECT g.payment_id, g.invoice_id, g.customer_id, g.currency, g.received_on,
           g.amount OPERATOR(pg_catalog.-) coalesce((
               SELECT pg_catalog.sum(pp.amount) FROM @extschema@.promise_payment pp
                 JOIN @extschema@.promise d ON d.id OPERATOR(pg_catalog.=) pp.promise_id
                WHERE d.ledger OPERATOR(pg_catalog.=) settle_promises.ledger
                  AND d.status OPERATOR(pg_catalog.<>) 'open'
                  AND pp.payment_id OPERATOR(pg_catalog.=) g.payment_id
                  AND pp.invoice_id OPERATOR(pg_catalog.=) g.invoice_id), 0) AS remaining
      FROM (SELECT f.payment_id, coalesce(f.invoice_id, '') AS invoice_id, f.customer_id,
                   pg_catalog.upper(pg_catalog.btrim(f.currency)) AS currency,
                   pg_catalog.min(f.received_on) AS received_on, pg_catalog.sum(f.amount) AS amount
              FROM @extschema@.payments_from(payments_sql,
                       '{payment_id,customer_id,received_on,amount,currency}') f
             WHERE f.amount OPERATOR(pg_catalog.>) 0 AND f.received_on OPERATOR(pg_catalog.<=) as_of
               AND f.payment_id IS NOT NULL AND f.customer_id IS NOT NULL AND f.currency IS NOT NULL
             GROUP BY 1, 2, 3, 4) g;

    DELETE FROM @extschema@.promise_payment pp
     USING @extschema@.promise o
     WHERE o.id OPERATOR(pg_catalog.=) pp.promise_id
       AND o.ledger OPERATOR(pg_catalog.=) settle_promises.ledger
       AND o.status OPERATOR(pg_catalog.=) 'open';

    FOR p IN
        SELECT o.* FROM @extschema@.promise o
         WHERE o.ledger OPERATOR(pg_catalog.=) settle_promises.ledger
           AND o.status OPERATOR(pg_catalog.=) 'open'
           AND o.promised_on OPERATOR(pg_catalog.<=) as_of
         ORDER BY o.due_on, o.id
           FOR UPDATE
    LOOP
        v_need := p.amount;
        v_last := NULL;
        FOR r IN
            SELECT t.payment_id, t.invoice_id, t.remaining, t.received_on
              FROM pg_temp.o2c_promise_pay t
             WHERE t.customer_id OPERATOR(pg_catalog.=) p.customer_id
               AND t.currency OPERATOR(pg_catalog.=) p.currency
               AND t.remaining OPERATOR(pg_catalog.>) 0
               AND t.received_on OPERATOR(pg_catalog.>=) p.promised_on
               AND t.received_on OPERATOR(pg_catalog.<=) (p.due_on OPERATOR(pg_catalog.+) grace_days)
               AND (p.invoice_ids IS NULL OR t.invoice_id OPERATOR(pg_catalog.=) ANY (p.invoice_ids))
             ORDER BY t.received_on, t.payment_id, t.invoice_id
        LOOP
            v_take := LEAST(v_need, r.remaining);
            INSERT INTO @extschema@.promise_payment (promise_id, payment_id, invoice_id, amount)
            VALUES (p.id, r.payment_id, r.invoice_id, v_take);
            UPDATE pg_temp.o2c_promise_pay t SET remaining = t.remaining OPERATOR(pg_catalog.-) v_take
             WHERE t.payment_id OPERATOR(pg_catalog.=) r.payment_id
               AND t.invoice_id OPERATOR(pg_catalog.=) r.invoice_id;
            v_need := v_need OPERATOR(pg_catalog.-) v_take;
            v_last := r.received_on;
            EXIT WHEN v_need OPERATOR(pg_catalog.=) 0;
        END LOOP;
        v_status := CASE WHEN v_need OPERATOR(pg_catalog.=) 0 THEN 'kept'
                         WHEN as_of OPERATOR(pg_catalog.>) (p.due_on OPERATOR(pg_catalog.+) grace_days) THEN
                              CASE WHEN v_need OPERATOR(pg_catalog.<) p.amount THEN 'partly_kept' ELSE 'broken' END
                         ELSE 'open' END;
        UPDATE @extschema@.promise o
           SET status = v_status,
               paid_amount = p.amount OPERATOR(pg_catalog.-) v_need,
               decided_on = CASE v_status WHEN 'kept' THEN v_last
                                          WHEN 'open' THEN NULL
                                          ELSE (p.due_on OPERATOR(pg_catalog.+) grace_days) END,
               job_run_id = coalesce(run_id, o.job_run_id)
         WHERE o.id OPERATOR(pg_catalog.=) p.id;
        IF v_status OPERATOR(pg_catalog.<>) 'open' THEN
            n_decided := n_decided OPERATOR(pg_catalog.+) 1;
        END IF;
    END LOOP;
    DROP TABLE pg_temp.o2c_promise_pay;
    RETURN n_decided;
END
$$;
COMMENT ON FUNCTION @extschema@.settle_promises(text, date, integer, text, bigint) IS
    'checks the open promises of a ledger against the payments of the inner query (payment_id, customer_id, received_on, amount, currency, optional invoice_id): kept, partly kept or broken once the grace days after due_on are over; returns how many were decided (o2c.run_promise_check runs it as a job)';

CREATE VIEW @extschema@.promise_kpi AS
SELECT p.ledger, p.created_by AS collector,
       pg_catalog.date_trunc('month', p.due_on)::date AS month, p.currency,
       pg_catalog.count(*) AS promises,
       pg_catalog.count(*) FILTER (WHERE p.status OPERATOR(pg_catalog.=) 'kept') AS kept,
       pg_catalog.count(*) FILTER (WHERE p.status OPERATOR(pg_catalog.=) 'partly_kept') AS partly_kept,
       pg_catalog.count(*) FILTER (WHERE p.status OPERATOR(pg_catalog.=) 'broken') AS broken,
       pg_catalog.count(*) FILTER (WHERE p.status OPERATOR(pg_catalog.=) 'open') AS open,
       pg_catalog.round(pg_catalog.count(*) FILTER (WHERE p.status OPERATOR(pg_catalog.=) 'kept')::numeric
                        OPERATOR(pg_catalog./) NULLIF(pg_catalog.count(*) FILTER (
                            WHERE p.status IN ('kept', 'partly_kept', 'broken')), 0), 4) AS kept_rate,
       pg_catalog.sum(p.amount) FILTER (WHERE p.status OPERATOR(pg_catalog.<>) 'cancelled') AS promised_amount,
       pg_catalog.sum(p.paid_amount) FILTER (WHERE p.status OPERATOR(pg_catalog.<>) 'cancelled') AS paid_amount,
       pg_catalog.round(pg_catalog.sum(p.paid_amount) FILTER (WHERE p.status IN ('kept', 'partly_kept', 'broken'))
                        OPERATOR(pg_catalog./) NULLIF(pg_catalog.sum(p.amount) FILTER (
                            WHERE p.status IN ('kept', 'partly_kept', 'broken')), 0), 4) AS kept_amount_rate
  FROM @extschema@.promise p
 GROUP BY p.ledger, p.created_by, pg_catalog.date_trunc('month', p.due_on), p.currency
 ORDER BY p.ledger, p.created_by, 3, p.currency;
COMMENT ON VIEW @extschema@.promise_kpi IS
    'promises per ledger, collector (who recorded them), month due and currency: counts by status, the kept rate (kept / decided) and the share of the decided promised amount that was paid';
COMMENT ON COLUMN @extschema@.promise_kpi.kept_rate IS 'kept promises / promises decided (kept, partly kept or broken); NULL when none is decided';
COMMENT ON COLUMN @extschema@.promise_kpi.kept_amount_rate IS 'paid / promised over the decided promises';
