-- dispute: disputes and deductions a collections team records against
-- invoices (open_dispute, open_deductions from cash application's short
-- pays), resolved as credited, collected or written off; the reasons they
-- use; and the reports on them.

CREATE TABLE @extschema@.dispute_reason (
    code       text PRIMARY KEY CHECK (code OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]*$'),
    label      text NOT NULL,
    owner_role text
);
COMMENT ON TABLE @extschema@.dispute_reason IS
    'the reasons a dispute can be opened for (o2c.install_dispute_reasons adds a default set): a code, a label, and the role that resolves such disputes (the default owner)';
COMMENT ON COLUMN @extschema@.dispute_reason.owner_role IS 'who resolves disputes of this reason (sales, logistics, billing, ...): the owner a dispute gets when none is named';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dispute_reason', '');

CREATE FUNCTION @extschema@.install_dispute_reasons()
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    added integer;
BEGIN
    INSERT INTO @extschema@.dispute_reason (code, label, owner_role)
    VALUES ('pricing', 'Price differs from the order or contract', 'sales'),
           ('quantity', 'Quantity differs from what was delivered', 'logistics'),
           ('damaged_goods', 'Goods arrived damaged', 'logistics'),
           ('not_received', 'Goods or service not received', 'logistics'),
           ('duplicate_billing', 'Billed twice', 'billing'),
           ('deduction', 'Promotion, rebate or other deduction taken', 'sales'),
           ('tax', 'Tax charged wrongly', 'billing')
    ON CONFLICT (code) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$$;
COMMENT ON FUNCTION @extschema@.install_dispute_reasons() IS
    'adds the default dispute reasons (pricing, quantity, damaged_goods, not_received, duplicate_billing, deduction, tax) that are not there yet; returns the rows added';

CREATE TABLE @extschema@.dispute (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ledger      text NOT NULL DEFAULT 'default',
    invoice_id  text NOT NULL,
    customer_id text,
    currency    text NOT NULL CHECK (currency OPERATOR(pg_catalog.~) '^[A-Z]{3}$'),
    amount      numeric NOT NULL CHECK (amount OPERATOR(pg_catalog.>) 0
                                        AND amount OPERATOR(pg_catalog.<) 'Infinity'),
    reason      text NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    owner       text,
    opened_on   date NOT NULL CHECK (opened_on OPERATOR(pg_catalog.>) '-infinity'
                                     AND opened_on OPERATOR(pg_catalog.<) 'infinity'),
    resolved_on date,
    resolution  text CHECK (resolution IN ('credited', 'collected', 'written_off')),
    payment_id  text,
    remittance  text,
    note        text,
    created_by  text NOT NULL DEFAULT CURRENT_USER,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CHECK ((status OPERATOR(pg_catalog.=) 'open') OPERATOR(pg_catalog.=) (resolution IS NULL)),
    CHECK ((status OPERATOR(pg_catalog.=) 'open') OPERATOR(pg_catalog.=) (resolved_on IS NULL)),
    CHECK (resolved_on IS NULL OR resolved_on OPERATOR(pg_catalog.>=) opened_on)
);
CREATE INDEX dispute_open ON @extschema@.dispute (ledger, invoice_id) WHERE status OPERATOR(pg_catalog.=) 'open';
-- A payment's short pay of an invoice opens one deduction, however often asked.
CREATE UNIQUE INDEX dispute_deduction ON @extschema@.dispute (ledger, payment_id, invoice_id)
    WHERE payment_id IS NOT NULL;
COMMENT ON TABLE @extschema@.dispute IS
    'disputes and deductions against invoices, opened with o2c.open_dispute or o2c.open_deductions and resolved with o2c.resolve_dispute; an open dispute''s amount is left out of dunning';
COMMENT ON COLUMN @extschema@.dispute.amount IS 'the amount in dispute, in currency (at most what is open on the invoice, as dunning takes it)';
COMMENT ON COLUMN @extschema@.dispute.reason IS 'a code of o2c.dispute_reason';
COMMENT ON COLUMN @extschema@.dispute.owner IS 'who resolves it: named when opened, else the reason''s owner_role';
COMMENT ON COLUMN @extschema@.dispute.resolution IS 'credited (a credit note was issued), collected (the customer paid after all) or written_off';
COMMENT ON COLUMN @extschema@.dispute.payment_id IS 'for a deduction: the payment whose short pay opened it';
COMMENT ON COLUMN @extschema@.dispute.remittance IS 'for a deduction: the payment''s remittance text, which usually says why';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dispute', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dispute_id_seq', '');
-- reason refers to dispute_reason.code: checked when a dispute is written
-- (reference.sql says why o2c's own references are triggers).
CREATE TRIGGER dispute_reason_check AFTER INSERT ON @extschema@.dispute
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_check('reason', '@extschema@.dispute_reason', 'code');
CREATE TRIGGER dispute_reason_check_update AFTER UPDATE OF reason ON @extschema@.dispute
    FOR EACH ROW WHEN (NEW.reason IS DISTINCT FROM OLD.reason)
    EXECUTE FUNCTION @extschema@.reference_check('reason', '@extschema@.dispute_reason', 'code');
CREATE TRIGGER dispute_reason_rename AFTER UPDATE OF code ON @extschema@.dispute_reason
    FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code)
    EXECUTE FUNCTION @extschema@.reference_action('code', '@extschema@.dispute', 'reason', 'cascade');

-- The checks every dispute passes, whichever way it is opened.
CREATE FUNCTION @extschema@.dispute_check(invoice_id text, currency text, amount numeric, reason text,
                                          opened_on date)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    IF invoice_id IS NULL OR currency IS NULL OR amount IS NULL OR reason IS NULL OR opened_on IS NULL THEN
        RAISE EXCEPTION 'invoice_id, currency, amount, reason and opened_on must not be null' USING ERRCODE = '22004';
    END IF;
    PERFORM @extschema@.amount_check(currency, amount, 'amount',
                                     'A dispute is about an amount of the invoice, greater than 0.');
    IF NOT pg_catalog.isfinite(opened_on) THEN
        RAISE EXCEPTION 'opened_on must be a finite date, not %', opened_on USING ERRCODE = '22008';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.dispute_reason r WHERE r.code OPERATOR(pg_catalog.=) reason) THEN
        RAISE EXCEPTION 'unknown dispute reason: "%"', pg_catalog.left(reason, 64)
            USING ERRCODE = '22023',
                  HINT = 'Use a code of o2c.dispute_reason; o2c.install_dispute_reasons() adds a default set.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.dispute_check(text, text, numeric, text, date) IS
    'the checks of a dispute''s values (open_dispute and open_deductions run them): 22004, 22023 or 22008 naming the bad value';

CREATE FUNCTION @extschema@.open_dispute(
    invoice_id text,
    currency text,
    amount numeric,
    reason text,
    customer_id text DEFAULT NULL,
    owner text DEFAULT NULL,
    note text DEFAULT NULL,
    opened_on date DEFAULT CURRENT_DATE,
    ledger text DEFAULT 'default')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM @extschema@.dispute_check(invoice_id, currency, amount, reason, opened_on);
    IF ledger IS NULL THEN
        RAISE EXCEPTION 'ledger must not be null' USING ERRCODE = '22004';
    END IF;
    INSERT INTO @extschema@.dispute (ledger, invoice_id, customer_id, currency, amount, reason, owner, opened_on, note)
    VALUES (open_dispute.ledger, open_dispute.invoice_id, open_dispute.customer_id,
            pg_catalog.upper(pg_catalog.btrim(open_dispute.currency)), open_dispute.amount, open_dispute.reason,
            coalesce(open_dispute.owner, (SELECT r.owner_role FROM @extschema@.dispute_reason r
                                           WHERE r.code OPERATOR(pg_catalog.=) open_dispute.reason)),
            open_dispute.opened_on, open_dispute.note)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION @extschema@.open_dispute(text, text, numeric, text, text, text, text, date, text) IS
    'opens a dispute of amount (in currency) on an invoice for a reason of o2c.dispute_reason, owned by owner or the reason''s owner role; returns its id; dunning leaves the amount out while it is open';

CREATE FUNCTION @extschema@.resolve_dispute(dispute_id bigint, resolution text, note text DEFAULT NULL,
                                            resolved_on date DEFAULT CURRENT_DATE)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_status text;
    v_opened date;
BEGIN
    IF dispute_id IS NULL OR resolution IS NULL OR resolved_on IS NULL THEN
        RAISE EXCEPTION 'dispute_id, resolution and resolved_on must not be null' USING ERRCODE = '22004';
    END IF;
    IF resolution OPERATOR(pg_catalog.<>) ALL (ARRAY['credited', 'collected', 'written_off']) THEN
        RAISE EXCEPTION 'unknown resolution: "%"', pg_catalog.left(resolution, 64)
            USING ERRCODE = '22023', HINT = 'A dispute is credited, collected or written_off.';
    END IF;
    IF NOT pg_catalog.isfinite(resolved_on) THEN
        RAISE EXCEPTION 'resolved_on must be a finite date, not %', resolved_on USING ERRCODE = '22008';
    END IF;
    SELECT d.status, d.opened_on INTO v_status, v_opened FROM @extschema@.dispute d
     WHERE d.id OPERATOR(pg_catalog.=) resolve_dispute.dispute_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'dispute % does not exist', dispute_id USING ERRCODE = 'P0002';
    END IF;
    IF v_status OPERATOR(pg_catalog.<>) 'open' THEN
        RAISE EXCEPTION 'dispute % is already resolved', dispute_id USING ERRCODE = '55000';
    END IF;
    IF resolved_on OPERATOR(pg_catalog.<) v_opened THEN
        RAISE EXCEPTION 'resolved_on % is before the dispute was opened (%)', resolved_on, v_opened
            USING ERRCODE = '22023';
    END IF;
    UPDATE @extschema@.dispute d
       SET status = 'resolved', resolution = resolve_dispute.resolution, resolved_on = resolve_dispute.resolved_on,
           note = coalesce(resolve_dispute.note, d.note)
     WHERE d.id OPERATOR(pg_catalog.=) resolve_dispute.dispute_id;
END
$$;
COMMENT ON FUNCTION @extschema@.resolve_dispute(bigint, text, text, date) IS
    'resolves an open dispute as credited, collected or written_off (an error for one already resolved)';

-- Deductions from cash application: each short pay or partial payment in
-- o2c.cash_match opens a deduction for what it left open on the invoice
-- (the open amount the invoices query gives, as cash application saw it,
-- less what was applied), with the payment's remittance text; once.
CREATE FUNCTION @extschema@.open_deductions(
    invoices_sql text,
    payments_sql text,
    reason text DEFAULT 'deduction',
    ledger text DEFAULT 'default',
    opened_on date DEFAULT CURRENT_DATE)
RETURNS TABLE (dispute_id bigint, payment_id text, invoice_id text, amount numeric, remittance text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    m record;
BEGIN
    IF invoices_sql IS NULL OR payments_sql IS NULL OR ledger IS NULL THEN
        RAISE EXCEPTION 'invoices_sql, payments_sql and ledger must not be null' USING ERRCODE = '22004';
    END IF;
    FOR m IN
        SELECT c.payment_id, c.invoice_id, i.customer_id, pg_catalog.upper(i.currency) AS currency,
               i.open_amount OPERATOR(pg_catalog.-) c.applied_amount AS left_open,
               (SELECT pg_catalog.string_agg(DISTINCT coalesce(p.reference, ''), ' ')
                  FROM @extschema@.payments_from(payments_sql, '{payment_id}') p
                 WHERE p.payment_id OPERATOR(pg_catalog.=) c.payment_id) AS remittance
          FROM @extschema@.cash_match c
          JOIN @extschema@.invoices_from(invoices_sql, '{invoice_id,open_amount,currency}') i
            ON i.invoice_id OPERATOR(pg_catalog.=) c.invoice_id
         WHERE c.ledger OPERATOR(pg_catalog.=) open_deductions.ledger
           AND c.rule IN ('short_pay', 'partial')
           AND i.open_amount OPERATOR(pg_catalog.>) c.applied_amount
           AND NOT EXISTS (SELECT 1 FROM @extschema@.dispute d
                            WHERE d.ledger OPERATOR(pg_catalog.=) open_deductions.ledger
                              AND d.payment_id OPERATOR(pg_catalog.=) c.payment_id
                              AND d.invoice_id OPERATOR(pg_catalog.=) c.invoice_id)
         ORDER BY c.payment_id, c.invoice_id
    LOOP
        PERFORM @extschema@.dispute_check(m.invoice_id, m.currency, m.left_open, reason, opened_on);
        INSERT INTO @extschema@.dispute AS d
              (ledger, invoice_id, customer_id, currency, amount, reason, owner, opened_on, payment_id, remittance)
        VALUES (open_deductions.ledger, m.invoice_id, m.customer_id, m.currency, m.left_open, open_deductions.reason,
                (SELECT r.owner_role FROM @extschema@.dispute_reason r
                  WHERE r.code OPERATOR(pg_catalog.=) open_deductions.reason),
                open_deductions.opened_on, m.payment_id, NULLIF(m.remittance, ''))
        RETURNING d.id, d.payment_id, d.invoice_id, d.amount, d.remittance
             INTO dispute_id, payment_id, invoice_id, amount, remittance;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.open_deductions(text, text, text, text, date) IS
    'opens one deduction (a dispute with the payment and its remittance text) for each short pay or partial payment of o2c.cash_match not yet opened: the invoice''s open amount from invoices_sql, as cash application saw it, less what was applied; returns the disputes opened';

CREATE VIEW @extschema@.dispute_aging AS
SELECT d.ledger, d.reason, d.owner, d.currency,
       pg_catalog.count(*) AS open_disputes,
       pg_catalog.sum(d.amount) AS amount,
       pg_catalog.sum(d.amount) FILTER (WHERE CURRENT_DATE OPERATOR(pg_catalog.-) d.opened_on OPERATOR(pg_catalog.<=) 30) AS d0_30,
       pg_catalog.sum(d.amount) FILTER (WHERE CURRENT_DATE OPERATOR(pg_catalog.-) d.opened_on
                                              OPERATOR(pg_catalog.>) 30
                                          AND CURRENT_DATE OPERATOR(pg_catalog.-) d.opened_on
                                              OPERATOR(pg_catalog.<=) 60) AS d31_60,
       pg_catalog.sum(d.amount) FILTER (WHERE CURRENT_DATE OPERATOR(pg_catalog.-) d.opened_on
                                              OPERATOR(pg_catalog.>) 60
                                          AND CURRENT_DATE OPERATOR(pg_catalog.-) d.opened_on
                                              OPERATOR(pg_catalog.<=) 90) AS d61_90,
       pg_catalog.sum(d.amount) FILTER (WHERE CURRENT_DATE OPERATOR(pg_catalog.-) d.opened_on OPERATOR(pg_catalog.>) 90) AS d91_plus,
       pg_catalog.max(CURRENT_DATE OPERATOR(pg_catalog.-) d.opened_on) AS oldest_days_open
  FROM @extschema@.dispute d
 WHERE d.status OPERATOR(pg_catalog.=) 'open'
 GROUP BY d.ledger, d.reason, d.owner, d.currency
 ORDER BY d.ledger, d.reason, d.owner, d.currency;
COMMENT ON VIEW @extschema@.dispute_aging IS
    'open disputes per ledger, reason, owner and currency, aged by days open today (0-30, 31-60, 61-90, 91+; NULL where none)';

CREATE VIEW @extschema@.dispute_outcome AS
SELECT d.ledger, pg_catalog.date_trunc('month', d.resolved_on)::date AS month, d.reason, d.resolution, d.currency,
       pg_catalog.count(*) AS disputes, pg_catalog.sum(d.amount) AS amount,
       pg_catalog.round(pg_catalog.avg(d.resolved_on OPERATOR(pg_catalog.-) d.opened_on), 1) AS avg_days_to_resolve
  FROM @extschema@.dispute d
 WHERE d.status OPERATOR(pg_catalog.=) 'resolved'
 GROUP BY d.ledger, pg_catalog.date_trunc('month', d.resolved_on), d.reason, d.resolution, d.currency
 ORDER BY d.ledger, 2, d.reason, d.resolution, d.currency;
COMMENT ON VIEW @extschema@.dispute_outcome IS
    'resolved disputes per ledger, month resolved, reason, resolution (credited, collected, written_off) and currency: count, amount and average days from opened to resolved';

