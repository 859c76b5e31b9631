-- Payment terms: parsing, canonical text, due dates and discounts.
SET search_path = public, o2c;
SET datestyle = ISO, YMD;

-- Canonical output: upper case, single spaces, no trailing zeros.
SELECT t AS input, t::o2c.terms AS canonical
FROM (VALUES ('net 30'), ('  Net   30   eom '), ('2/10 net 30'), ('2% 10 NET 30'),
             ('1.50/10 net 30'), ('1.25% 10 net 60 eom'), ('15 prox'), ('cod'),
             ('Due On Receipt'), ('100% NET 30'), ('40% net 0; 60% net 30 eom'),
             ('50% 2/10 NET 30; 50% 31 PROX'), ('33.33% net 30; 33.33% net 60; 33.34% net 90'),
             ('2/10NET30'), ('net 0')) v(t);

-- Equal terms print equally, compare equal and group together.
SELECT 'COD'::o2c.terms = 'net 0'::o2c.terms AS cod_is_net0,
       'DUE ON RECEIPT'::o2c.terms = 'NET 0'::o2c.terms AS receipt_is_net0,
       '2% 10 net 30'::o2c.terms = '2/10 NET 30'::o2c.terms AS pct_form,
       'NET 30'::o2c.terms <> 'NET 30 EOM'::o2c.terms AS eom_differs;
SELECT t, count(*)
FROM (VALUES ('net 30'::o2c.terms), ('NET 30'), ('cod'), ('net 0'), ('2/10 net 30'),
             ('2% 10 net 30'), ('due on receipt')) v(t)
GROUP BY t ORDER BY t;
SELECT DISTINCT t FROM (VALUES ('net 60'::o2c.terms), ('NET 60'), ('15 PROX')) v(t) ORDER BY t;

-- Due dates: month ends, leap days, EOM from Jan 31, PROX 31 in February.
SELECT terms, invoice_date, o2c.due_date(terms::o2c.terms, invoice_date) AS due
FROM (VALUES ('NET 30', DATE '2024-01-31'),
             ('NET 30', DATE '2023-01-30'),
             ('NET 29', DATE '2024-01-31'),
             ('NET 30 EOM', DATE '2024-01-31'),
             ('NET 30 EOM', DATE '2024-01-01'),
             ('NET 0 EOM', DATE '2024-02-10'),
             ('NET 0 EOM', DATE '2023-02-10'),
             ('31 PROX', DATE '2024-01-15'),
             ('31 PROX', DATE '2023-01-15'),
             ('31 PROX', DATE '2024-02-29'),
             ('10 PROX', DATE '2024-12-31'),
             ('COD', DATE '2024-03-15'),
             ('40% NET 0; 60% NET 30 EOM', DATE '2024-01-31'),
             ('60% NET 90; 40% NET 30', DATE '2024-01-01')) v(terms, invoice_date);

-- Discount window: 2/10 NET 30 on the 10th day (in) and the 11th (out).
SELECT o2c.discount_until('2/10 NET 30', DATE '2024-03-01') AS until,
       o2c.discount_amount('2/10 NET 30', 1000.00, DATE '2024-03-01', DATE '2024-03-11') AS day_10,
       o2c.discount_amount('2/10 NET 30', 1000.00, DATE '2024-03-01', DATE '2024-03-12') AS day_11,
       o2c.discount_amount('2/10 NET 30', 1000.00, DATE '2024-03-01', DATE '2024-03-01') AS same_day;
SELECT o2c.discount_until('2/10 NET 30 EOM', DATE '2024-02-05') AS eom_until,
       o2c.discount_until('NET 30', DATE '2024-02-05') AS none,
       o2c.discount_until('50% 2/10 NET 30; 50% NET 60', DATE '2024-02-05') AS installments;
-- Half-up rounding to the currency: 1.5% of 33.30 is 0.4995.
SELECT o2c.discount_amount('1.5/10 NET 30', 33.30, DATE '2024-03-01', DATE '2024-03-05') AS eur,
       o2c.discount_amount('1.5/10 NET 30', 33.30, DATE '2024-03-01', DATE '2024-03-05', 'KWD') AS kwd,
       o2c.discount_amount('2/10 NET 30', 1234, DATE '2024-03-01', DATE '2024-03-05', 'JPY') AS jpy,
       o2c.discount_amount('2/10 NET 30', -250.25, DATE '2024-03-01', DATE '2024-03-05') AS credit_note;

-- Terms as a column: binary COPY round trip keeps every value.
CREATE TABLE terms_rt (id int, t o2c.terms);
INSERT INTO terms_rt VALUES (1, 'NET 30'), (2, '2/10 NET 30 EOM'), (3, '15 PROX'),
                            (4, '40% 1.5/5 NET 10; 60% NET 45 EOM');
CREATE TABLE terms_rt2 (LIKE terms_rt);
DO $$
DECLARE
    f text := format('/tmp/o2c_terms_rt_%s.bin', pg_backend_pid());
BEGIN
    EXECUTE format('COPY terms_rt TO %L WITH (FORMAT binary)', f);
    EXECUTE format('COPY terms_rt2 FROM %L WITH (FORMAT binary)', f);
END
$$;
SELECT a.id, a.t, b.t AS copied, a.t = b.t AS same
FROM terms_rt a JOIN terms_rt2 b USING (id) ORDER BY a.id;
DROP TABLE terms_rt, terms_rt2;
