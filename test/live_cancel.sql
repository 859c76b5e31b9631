-- pgTAP: cancelling the live ledger's work mid-call (pg_cancel_backend from
-- another session) leaves the ledger as it was: a bulk insert of a million
-- invoices stopped mid-statement, ledger_compact stopped while it folds a
-- million pending invoices, ledger_pending_summary stopped while it sums
-- them. The cancelled calls end within 3 seconds, the session stays usable,
-- live_aging still equals a brute-force aging, and the same calls then
-- succeed. The other session is a dblink connection. Runs at top level
-- (the inserts commit); cleans up.
\set ON_ERROR_STOP 0
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
DROP TABLE IF EXISTS tap_lc_inv;
DELETE FROM o2c.ledger_balance WHERE ledger = 'tap_lc';
DELETE FROM o2c.ledger_aging WHERE ledger = 'tap_lc';
DELETE FROM o2c.ledger_delta WHERE ledger = 'tap_lc';
DELETE FROM o2c.ledger_state WHERE ledger = 'tap_lc';
CREATE TABLE tap_lc_inv (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                         amount numeric(12,2) NOT NULL, currency text NOT NULL);
SELECT o2c.ledger_attach('tap_lc', 'tap_lc_inv');

CREATE FUNCTION pg_temp.insert_sql(first bigint, n int) RETURNS text LANGUAGE sql AS $f$
    SELECT format($q$INSERT INTO public.tap_lc_inv
                     SELECT %s + g, 'C' || (g %% 50000), current_date - 200 + (g %% 400), (g %% 9973) * 1.25, 'EUR'
                       FROM generate_series(1, %s) g$q$, first, n)
$f$;
-- live_aging as of the state date against the invoices aged in SQL: rows that differ.
CREATE FUNCTION pg_temp.diff() RETURNS bigint LANGUAGE sql AS $f$
    WITH s AS (SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap_lc'),
    b AS (SELECT i.customer_id, i.currency, (x.a).current, (x.a).total, count(*) OVER () AS n
            FROM (SELECT customer_id, currency, o2c.aging(amount, due_date, (SELECT as_of FROM s)) AS a
                    FROM public.tap_lc_inv GROUP BY 1, 2 HAVING count(*) FILTER (WHERE amount <> 0) > 0) x
            JOIN (SELECT DISTINCT customer_id, currency FROM public.tap_lc_inv) i USING (customer_id, currency)),
    l AS (SELECT customer_id, currency, current, total, count(*) OVER () AS n
            FROM o2c.live_aging((SELECT as_of FROM s), 'tap_lc'))
    SELECT count(*) FROM ((TABLE b EXCEPT ALL TABLE l) UNION ALL (TABLE l EXCEPT ALL TABLE b)) d
$f$;
-- Whether the session p is active (or, with active false, idle) within the given seconds.
CREATE FUNCTION pg_temp.wait_for(p int, active boolean, seconds numeric) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    FOR i IN 1..(seconds * 20)::int LOOP
        PERFORM pg_stat_clear_snapshot();
        IF EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = p AND state = 'active') = active THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN false;
END
$f$;
-- Send q to the other session, cancel it after delay seconds, and say how it ended.
CREATE FUNCTION pg_temp.cancel_after(q text, delay numeric) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    p int := (SELECT pid FROM dblink('tap_lc1', 'SELECT pg_backend_pid()') AS t(pid int));
    msg text;
BEGIN
    PERFORM dblink_send_query('tap_lc1', q);
    IF NOT pg_temp.wait_for(p, true, 5) THEN
        RETURN 'never started';
    END IF;
    PERFORM pg_sleep(delay);
    PERFORM pg_cancel_backend(p);
    IF NOT pg_temp.wait_for(p, false, 3) THEN
        RETURN 'still running 3 s after the cancel';
    END IF;
    -- The remote error as a message, not raised here (dblink wants one more
    -- dblink_get_result after a query's result).
    PERFORM * FROM dblink_get_result('tap_lc1', false) AS r(x text);
    msg := dblink_error_message('tap_lc1');
    PERFORM * FROM dblink_get_result('tap_lc1', false) AS r(x text);
    RETURN msg;
END
$f$;
SELECT format('host=%s port=%s dbname=%s user=%s',
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_database(), current_user) AS conn \gset
SELECT dblink_connect('tap_lc1', :'conn');

SELECT plan(12);

-- A million invoices pending (one statement, not folded in).
SELECT dblink_exec('tap_lc1', pg_temp.insert_sql(0, 1000000));
SELECT is((SELECT sum(rows) FROM o2c.ledger_delta WHERE ledger = 'tap_lc'), 1000000::numeric,
          'a million invoices are pending');

-- 1. A bulk insert cancelled mid-statement leaves nothing.
SELECT alike(pg_temp.cancel_after(pg_temp.insert_sql(2000000, 1000000), 1.5), '%canceling statement%',
            'a bulk insert of a million more invoices is cancelled');
SELECT is((SELECT count(*) FROM tap_lc_inv), 1000000::bigint, 'none of its invoices is there');
SELECT is((SELECT sum(rows) FROM o2c.ledger_delta WHERE ledger = 'tap_lc'), 1000000::numeric,
          'and none of its rows is pending');

-- 2. ledger_compact cancelled while it folds the million pending invoices.
SELECT alike(pg_temp.cancel_after($$SELECT o2c.ledger_compact('tap_lc')$$, 0.5), '%canceling statement%',
            'ledger_compact of a million pending invoices is cancelled within 3 s');
SELECT is((SELECT sum(rows) FROM o2c.ledger_delta WHERE ledger = 'tap_lc'), 1000000::numeric,
          'the pending invoices are still pending');
SELECT is((SELECT count(*) FROM o2c.ledger_balance WHERE ledger = 'tap_lc'), 0::bigint,
          'and no balance row was written');

-- 3. ledger_pending_summary cancelled while it sums them.
SELECT alike(pg_temp.cancel_after($$SELECT count(*), sum(total) FROM o2c.ledger_pending_summary('tap_lc'), pg_sleep(0.2)$$, 0.1),
            '%canceling statement%', 'ledger_pending_summary is cancelled');
SELECT is((SELECT x FROM dblink('tap_lc1', 'SELECT 1') AS t(x int)), 1, 'the cancelled session is still usable');
SELECT is(pg_temp.diff(), 0::bigint, 'live_aging with the million pending equals the brute force');

-- The same calls then succeed.
SELECT cmp_ok((SELECT x FROM dblink('tap_lc1', $$SELECT o2c.ledger_compact('tap_lc')$$) AS t(x bigint)), '>', 0::bigint,
              'ledger_compact then folds them in');
SELECT is(pg_temp.diff(), 0::bigint, 'and live_aging still equals the brute force');

SELECT * FROM finish();
SELECT dblink_disconnect('tap_lc1');
DROP TABLE tap_lc_inv;
DELETE FROM o2c.ledger_balance WHERE ledger = 'tap_lc';
DELETE FROM o2c.ledger_aging WHERE ledger = 'tap_lc';
DELETE FROM o2c.ledger_delta WHERE ledger = 'tap_lc';
DELETE FROM o2c.ledger_state WHERE ledger = 'tap_lc';
