-- pgTAP: the compact form of o2c.ledger_delta (version 6, live_delta.h).
-- A part written by hand must read back as documented: amounts in the
-- part's scale without a byte of flags, others behind the escape, customer
-- ids sharing a prefix with the entry before, currencies written once while
-- they repeat. Damaged parts are errors (22P03), never rows. Then what
-- ledger_track writes: every amount back with its own display scale
-- (mixed scales, huge values, zeros with many decimals), customer ids that
-- are prefixes of one another, empty or multibyte, and a COPY-like
-- statement of 50,000 invoices in fewer than 9.5 bytes each.
BEGIN;
SELECT plan(17);
SET LOCAL client_min_messages = warning;

-- Three rows: (ACME, EUR, +0 days, 1.00 in the part's scale 2),
-- (ACMX = 3 bytes of ACME + 'X', the currency before, +1 day, -1.00),
-- (ACME, EUR, +0 days, 1.234 behind the escape: 03, flags 0x32 = items + 1
-- | kind 0 | scale 3, zigzag(1234)).
CREATE FUNCTION pg_temp.part(dscale bytea DEFAULT '\x00000002', row3 bytea DEFAULT '\x00 00 03 32 a4 13'::bytea,
                             dict bytea DEFAULT '\x00 04 41 43 4d 45 04 45 55 52 03 01 58 00'::bytea)
RETURNS bytea LANGUAGE sql AS $$
  SELECT '\x00000006'::bytea || int4send(20 + 8 + length(row3)) || int4send(DATE '2026-01-01' - DATE '2000-01-01')
         || '\x00000000'::bytea || dscale || '\x00 00 a2 06 01 02 9e 06'::bytea || row3 || '\x00000002'::bytea || dict
$$;
CREATE FUNCTION pg_temp.read(data bytea) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM o2c.ledger_delta WHERE ledger = 'tap_fmt';
  INSERT INTO o2c.ledger_delta (ledger, chunk, part, rows, data) VALUES ('tap_fmt', 1, 0, 3, data);
  RETURN QUERY SELECT format('%s %s %s %s %s', customer_id, currency, due_date, open_amount, items)
                 FROM o2c.ledger_delta_rows('tap_fmt');
END $$;

SELECT is(ARRAY(SELECT pg_temp.read(pg_temp.part())),
          ARRAY['ACME EUR 2026-01-01 1.00 1', 'ACMX EUR 2026-01-02 -1.00 1', 'ACME EUR 2026-01-01 1.234 1'],
          'a part written by hand reads back as documented');
SELECT throws_ok($$SELECT pg_temp.read(overlay(pg_temp.part() PLACING '\x00000005'::bytea FROM 1 FOR 4))$$, '22P03',
                 'ledger delta chunk 1 part 0 is in format 5; this o2c reads format 6',
                 'a part of another format says which');
SELECT throws_ok($$SELECT pg_temp.read(pg_temp.part(dscale => '\x00000009'))$$, '22P03', NULL,
                 'a part''s scale above 8');
SELECT throws_ok($$SELECT pg_temp.read(pg_temp.part(dscale => '\xffffffff'))$$, '22P03', NULL,
                 'an amount in the part''s scale when the part has none');
SELECT throws_ok($$SELECT pg_temp.read(pg_temp.part(row3 => '\x00 00 07 32 a4 13'))$$, '22P03', NULL,
                 'an escape with more than its two low bits set');
SELECT throws_ok($$SELECT pg_temp.read(pg_temp.part(dict => '\x00 04 41 43 4d 45 04 45 55 52 05 01 58 00'))$$, '22P03', NULL,
                 'a customer sharing more than the previous one has');
SELECT throws_ok($$SELECT pg_temp.read(pg_temp.part(dict => '\x01 04 41 43 4d 45 04 45 55 52 03 01 58 00'))$$, '22P03', NULL,
                 'the first customer sharing a prefix');
SELECT throws_ok($$SELECT pg_temp.read(pg_temp.part(dict => '\x00 04 41 43 4d 45 00 03 01 58 04 45 55 52'))$$, '22P03', NULL,
                 'the first entry taking the previous currency');
SELECT throws_ok($$SELECT pg_temp.read(pg_temp.part(dict => '\x00 04 41 43 4d 45 04 45 55 52 03 01 58'))$$, '22P03', NULL,
                 'a dictionary cut short');

-- What ledger_track writes, read back exactly.
CREATE TABLE tap_fmt_inv (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                          amount numeric NOT NULL, currency text NOT NULL);
SELECT o2c.ledger_attach('tap_fmt_w', 'tap_fmt_inv');
-- The first amount of the statement is too large for the short form.
INSERT INTO tap_fmt_inv VALUES
  (1, 'C', DATE '2026-02-01', 1e30, 'EUR'),
  (2, 'C1', DATE '2026-02-01', 12.50, 'EUR'),
  (3, 'C10', DATE '2026-02-02', 7, 'EUR'),
  (4, 'C1', DATE '2026-02-03', -3.125, 'USD'),
  (5, '', DATE '2026-02-04', 0.00000, 'EUR'),
  (6, 'Ça va', DATE '2026-02-05', 5000000000000000000, 'EUR'),
  (7, 'Ça vb', DATE '2026-02-06', 0.0000000000, 'JPY'),
  (8, 'C', DATE '2026-02-07', 0.123456789012, 'JPY'),
  (9, 'C10', DATE '1999-02-07', -4611686018427387904, 'EUR'),
  (10, 'C1', DATE '2060-02-07', 99.99, 'USD');
SELECT is((SELECT count(*) FROM (
             (SELECT customer_id, currency, due_date, amount::text, CASE WHEN amount = 0 THEN 0 ELSE 1 END FROM tap_fmt_inv
              EXCEPT ALL SELECT customer_id, currency, due_date, open_amount::text, items FROM o2c.ledger_delta_rows('tap_fmt_w'))
             UNION ALL
             (SELECT customer_id, currency, due_date, open_amount::text, items FROM o2c.ledger_delta_rows('tap_fmt_w')
              EXCEPT ALL SELECT customer_id, currency, due_date, amount::text, CASE WHEN amount = 0 THEN 0 ELSE 1 END FROM tap_fmt_inv)) d),
          0::bigint, 'every amount comes back with its display scale, every customer and currency as written');
SELECT is((SELECT get_byte(data, 19) FROM o2c.ledger_delta WHERE ledger = 'tap_fmt_w'), 2,
          'the part''s scale is its first amount''s that has one');

-- Integer amounts: scale 0.
CREATE TABLE tap_fmt_int (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                          amount bigint NOT NULL, currency text NOT NULL);
SELECT o2c.ledger_attach('tap_fmt_i', 'tap_fmt_int');
INSERT INTO tap_fmt_int VALUES (1, 'K', DATE '2026-02-01', 1500, 'JPY'), (2, 'K', DATE '2026-02-01', -9223372036854775808, 'JPY');
SELECT is(ARRAY(SELECT format('%s %s', open_amount, items) FROM o2c.ledger_delta_rows('tap_fmt_i') ORDER BY open_amount),
          ARRAY['-9223372036854775808 1', '1500 1'], 'integer amounts, the smallest bigint behind the escape');

-- A statement of only huge amounts writes its part without a scale.
CREATE TABLE tap_fmt_big (LIKE tap_fmt_inv INCLUDING ALL);
SELECT o2c.ledger_attach('tap_fmt_b', 'tap_fmt_big');
INSERT INTO tap_fmt_big VALUES (1, 'B', DATE '2026-02-01', 1e40, 'EUR'), (2, 'B', DATE '2026-02-01', -1e40, 'EUR');
SELECT is((SELECT ('x' || encode(substr(data, 17, 4), 'hex'))::bit(32)::int FROM o2c.ledger_delta WHERE ledger = 'tap_fmt_b'), -1,
          'no scale when no amount has one');
SELECT is(ARRAY(SELECT open_amount::text FROM o2c.ledger_delta_rows('tap_fmt_b') ORDER BY open_amount),
          ARRAY['-10000000000000000000000000000000000000000', '10000000000000000000000000000000000000000'],
          'and its amounts read back');

-- A COPY-like statement: 50,000 invoices of 10,000 customers in cents.
CREATE TABLE tap_fmt_copy (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                           amount numeric(12,2) NOT NULL, currency text NOT NULL);
SELECT o2c.ledger_attach('tap_fmt_c', 'tap_fmt_copy');
INSERT INTO tap_fmt_copy
SELECT g, 'CUST-' || lpad(((g * 7919) % 10000)::text, 6, '0'), DATE '2026-01-01' + (g * 31) % 365,
       10 + ((g::bigint * 104729) % 2500000) / 100.0, 'EUR'
  FROM generate_series(1, 50000) g;
SELECT cmp_ok((SELECT sum(octet_length(data))::numeric / 50000 FROM o2c.ledger_delta WHERE ledger = 'tap_fmt_c'),
              '<', 9.5, 'fewer than 9.5 bytes an invoice');
SELECT is((SELECT count(*) FROM (
             SELECT customer_id, currency, due_date, amount FROM tap_fmt_copy
             EXCEPT ALL SELECT customer_id, currency, due_date, open_amount FROM o2c.ledger_delta_rows('tap_fmt_c')) d),
          0::bigint, 'and reading them back gives every invoice');
SELECT is((SELECT count(*) FROM o2c.ledger_delta_rows('tap_fmt_c')), 50000::bigint, 'once');

SELECT * FROM finish();
ROLLBACK;
