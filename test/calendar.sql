-- pgTAP: business calendar errors and properties.
BEGIN;
SELECT plan(34);

INSERT INTO o2c.calendar (name, weekend, convention) VALUES
    ('tap_cal', '{6,7}', 'following'),
    ('tap_closed', '{1,2,3,4,5,6,7}', 'following'),
    ('tap_prec', '{6,7}', 'preceding');
INSERT INTO o2c.holiday (calendar, day, name)
SELECT 'tap_cal', d::date, 'holiday'
FROM generate_series(DATE '2024-01-01', DATE '2026-12-31', '9 days') d;

-- Unknown names: 22023 naming them.
SELECT throws_ok($$SELECT o2c.is_business_day('2024-01-01', 'nowhere')$$, '22023',
    'unknown calendar: "nowhere"', 'unknown calendar in is_business_day');
SELECT throws_ok($$SELECT o2c.add_business_days('2024-01-01', 3, 'nowhere')$$, '22023', NULL, 'unknown calendar in add_business_days');
SELECT throws_ok($$SELECT o2c.adjust('2024-01-01', 'nowhere')$$, '22023', NULL, 'unknown calendar in adjust');
SELECT throws_ok($$SELECT o2c.due_date('NET 30', '2024-01-01', 'nowhere')$$, '22023', NULL, 'unknown calendar in due_date');
SELECT throws_ok($$SELECT * FROM o2c.payment_schedule(10, '2024-01-01', 'NET 30', 'EUR', 'nowhere')$$, '22023', NULL, 'unknown calendar in payment_schedule');
SELECT throws_ok($$SELECT o2c.adjust('2024-01-01', 'tap_cal', 'sideways')$$, '22023',
    'unknown business day convention: "sideways"', 'unknown convention');

-- No business day within a year: an error, never an endless loop.
SELECT throws_ok($$SELECT o2c.adjust('2024-01-06', 'tap_closed')$$, '22023', NULL, 'adjust on a closed calendar');
SELECT throws_ok($$SELECT o2c.add_business_days('2024-01-06', -2, 'tap_closed')$$, '22023', NULL, 'add_business_days on a closed calendar');
SELECT throws_ok($$SELECT o2c.due_date('NET 30', '2024-01-06', 'tap_closed')$$, '22023', NULL, 'due_date on a closed calendar');

-- Infinite and out-of-range dates: 22008.
SELECT throws_ok($$SELECT o2c.is_business_day('infinity', 'tap_cal')$$, '22008', NULL, 'infinite date');
SELECT throws_ok($$SELECT o2c.add_business_days('-infinity', 1, 'tap_cal')$$, '22008', NULL, 'minus infinity');
SELECT throws_ok($$SELECT o2c.add_business_days('5874897-12-28', 5, 'tap_cal')$$, '22008', NULL, 'past the end of the date range');
SELECT throws_ok($$SELECT o2c.add_business_days('2024-01-01', 2147483647, 'tap_cal')$$, '22023', NULL, 'too many business days');

-- Table checks.
SELECT throws_ok($$INSERT INTO o2c.calendar VALUES ('bad', '{8}', 'following')$$, '23514', NULL, 'weekend day 8 refused');
SELECT throws_ok($$INSERT INTO o2c.calendar VALUES ('bad', '{6}', 'sometimes')$$, '23514', NULL, 'unknown convention refused');
SELECT throws_ok($$INSERT INTO o2c.holiday VALUES ('nowhere', '2024-01-01', 'x')$$, '23503', NULL, 'holiday of an unknown calendar refused');

-- Properties.
CREATE TEMP TABLE probe AS
SELECT DATE '2024-01-01' + (i * 13) % 1000 AS d, (i % 41) - 20 AS n
FROM generate_series(1, 1500) i;

SELECT is((SELECT count(*) FROM probe WHERE o2c.is_business_day(d, 'tap_cal') <>
           (extract(isodow FROM d) < 6 AND NOT EXISTS
               (SELECT FROM o2c.holiday h WHERE h.calendar = 'tap_cal' AND h.day = d))),
          0::bigint, 'is_business_day agrees with the tables');
SELECT is((SELECT count(*) FROM probe WHERE NOT o2c.is_business_day(o2c.add_business_days(d, n, 'tap_cal'), 'tap_cal')),
          0::bigint, 'add_business_days lands on a business day');
SELECT is((SELECT count(*) FROM probe p
           WHERE p.n > 0 AND (SELECT count(*) FROM generate_series(p.d + 1, o2c.add_business_days(p.d, p.n, 'tap_cal'), '1 day') g
                               WHERE o2c.is_business_day(g::date, 'tap_cal')) <> p.n),
          0::bigint, 'n > 0 counts exactly n business days after the date');
SELECT is((SELECT count(*) FROM probe p
           WHERE p.n < 0 AND (SELECT count(*) FROM generate_series(o2c.add_business_days(p.d, p.n, 'tap_cal'), p.d - 1, '1 day') g
                               WHERE o2c.is_business_day(g::date, 'tap_cal')) <> -p.n),
          0::bigint, 'n < 0 counts exactly -n business days before the date');
SELECT is((SELECT count(*) FROM probe WHERE o2c.add_business_days(d, 0, 'tap_cal') <> o2c.adjust(d, 'tap_cal', 'following')),
          0::bigint, 'n = 0 rolls by following');
SELECT is((SELECT count(*) FROM probe
           WHERE date_trunc('month', o2c.adjust(d, 'tap_cal', 'modified_following')) <> date_trunc('month', d)),
          0::bigint, 'modified_following stays in the month');
SELECT is((SELECT count(*) FROM probe
           WHERE date_trunc('month', o2c.adjust(d, 'tap_cal', 'modified_preceding')) <> date_trunc('month', d)),
          0::bigint, 'modified_preceding stays in the month');
SELECT is((SELECT count(*) FROM probe
           WHERE o2c.adjust(d, 'tap_cal', 'following') < d OR o2c.adjust(d, 'tap_cal', 'preceding') > d),
          0::bigint, 'following never goes back, preceding never forward');
SELECT is((SELECT count(*) FROM probe WHERE o2c.due_date('NET 0', d, 'tap_prec') < d),
          0::bigint, 'a preceding calendar never moves a due date before the invoice date');
SELECT is(o2c.adjust('2024-01-06', 'tap_cal', 'unadjusted'), DATE '2024-01-06', 'unadjusted keeps the date');
SELECT is((SELECT count(*) FROM probe p,
                  o2c.payment_schedule(100.00 + p.n, p.d, '20% NET 0; 30% 2/5 NET 10 EOM; 50% 31 PROX', 'EUR', 'tap_prec') s
           WHERE s.due_date < p.d OR NOT o2c.is_business_day(s.due_date, 'tap_prec')),
          0::bigint, 'calendar schedules fall on business days, never before the invoice date');

-- Holidays spread over more than a million days are searched, not bitmapped.
INSERT INTO o2c.calendar VALUES ('tap_wide', '{}', 'following');
INSERT INTO o2c.holiday VALUES ('tap_wide', '1900-01-01', 'a'), ('tap_wide', '2024-05-08', 'b'), ('tap_wide', '5000-01-01', 'c');
SELECT is(ARRAY(SELECT o2c.is_business_day(d, 'tap_wide')
                FROM unnest('{1900-01-01,1900-01-02,2024-05-07,2024-05-08,2024-05-09,5000-01-01,4999-12-31}'::date[]) d),
          '{f,t,t,f,t,f,t}'::boolean[], 'wide holiday ranges');
SELECT is(o2c.add_business_days('2024-05-07', 1, 'tap_wide'), DATE '2024-05-09', 'a calendar without weekends skips only holidays');

-- A changed holiday is seen by the next call.
SELECT o2c.is_business_day('2024-01-10', 'tap_cal');
DELETE FROM o2c.holiday WHERE calendar = 'tap_cal' AND day = '2024-01-10';
SELECT ok(o2c.is_business_day('2024-01-10', 'tap_cal'), 'a deleted holiday is a business day at once');

-- A role without special rights can use calendars but not change them.
CREATE ROLE o2c_tap_clerk;
GRANT USAGE ON SCHEMA o2c TO o2c_tap_clerk;
SET LOCAL ROLE o2c_tap_clerk;
SELECT is(o2c.add_business_days('2024-01-05', 1, 'tap_cal'), DATE '2024-01-08', 'a plain role reads calendars');
SELECT throws_ok($$INSERT INTO o2c.holiday VALUES ('tap_cal', '2024-01-09', 'x')$$, '42501', NULL, 'a plain role cannot add holidays');
RESET ROLE;

-- After DROP and CREATE EXTENSION in one session, the cache follows the new tables.
SELECT o2c.is_business_day('2024-01-10', 'tap_cal');
DROP EXTENSION o2c CASCADE;
CREATE EXTENSION o2c;
INSERT INTO o2c.calendar VALUES ('tap_re', '{6,7}', 'following');
INSERT INTO o2c.holiday VALUES ('tap_re', '2024-01-10', 'x');
SELECT ok(NOT o2c.is_business_day('2024-01-10', 'tap_re'), 'a re-created extension loads its calendars');
DELETE FROM o2c.holiday WHERE calendar = 'tap_re';
SELECT ok(o2c.is_business_day('2024-01-10', 'tap_re'), 'and sees their changes');

SELECT * FROM finish();
ROLLBACK;
