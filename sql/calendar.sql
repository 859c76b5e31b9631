-- Business calendars: weekends, holidays, conventions, cache invalidation.
SET search_path = public, o2c;
SET datestyle = ISO, YMD;

INSERT INTO o2c.calendar (name, weekend, convention) VALUES
    ('test_eu', '{6,7}', 'modified_following'),
    ('test_gulf', '{5,6}', 'following');
INSERT INTO o2c.holiday (calendar, day, name) VALUES
    ('test_eu', '2024-03-29', 'Good Friday'),
    ('test_eu', '2024-04-01', 'Easter Monday'),
    ('test_eu', '2024-12-24', 'Christmas Eve'),
    ('test_eu', '2024-12-25', 'Christmas Day'),
    ('test_eu', '2024-12-26', 'St Stephen''s Day'),
    ('test_eu', '2024-12-31', 'New Year''s Eve'),
    ('test_eu', '2025-01-01', 'New Year''s Day'),
    ('test_eu', '2024-05-31', 'Month-end closing');

SELECT d, to_char(d, 'Dy') AS dow, o2c.is_business_day(d, 'test_eu') AS eu,
       o2c.is_business_day(d, 'test_gulf') AS gulf
FROM generate_series(DATE '2024-03-28', DATE '2024-04-02', '1 day') g(d0), LATERAL (SELECT g.d0::date AS d) x;

-- Counting from the date itself: Saturday + 1 is Monday, Saturday - 1 is Friday.
SELECT o2c.add_business_days('2024-03-09', 1, 'test_eu') AS sat_plus_1,
       o2c.add_business_days('2024-03-09', -1, 'test_eu') AS sat_minus_1,
       o2c.add_business_days('2024-03-09', 0, 'test_eu') AS sat_plus_0,
       o2c.add_business_days('2024-03-11', 0, 'test_eu') AS mon_plus_0,
       o2c.add_business_days('2024-03-28', 1, 'test_eu') AS over_easter,
       o2c.add_business_days('2024-04-02', -1, 'test_eu') AS back_over_easter,
       o2c.add_business_days('2024-12-20', 5, 'test_eu') AS over_christmas,
       o2c.add_business_days('2024-03-07', 1, 'test_gulf') AS gulf_thu_plus_1;

-- Conventions; holidays on consecutive days and on a month end.
SELECT c AS convention,
       o2c.adjust('2024-03-30', 'test_eu', c) AS easter_sat,
       o2c.adjust('2024-05-31', 'test_eu', c) AS month_end_holiday,
       o2c.adjust('2024-06-01', 'test_eu', c) AS first_sat,
       o2c.adjust('2024-12-31', 'test_eu', c) AS new_years_eve,
       o2c.adjust('2024-03-27', 'test_eu', c) AS business_day
FROM unnest('{unadjusted,following,modified_following,preceding,modified_preceding}'::text[]) c;
SELECT o2c.adjust('2024-03-30', 'test_eu') AS default_is_following;

-- Due dates with a calendar use its default convention (test_eu: modified_following).
SELECT o2c.due_date('NET 30', '2024-03-01') AS plain,
       o2c.due_date('NET 30', '2024-03-01', 'test_eu') AS eu,
       o2c.due_date('NET 0 EOM', '2024-05-10', 'test_eu') AS eom_holiday,
       o2c.due_date('NET 0 EOM', '2024-05-10', 'test_gulf') AS eom_gulf;

-- The cache sees a changed holiday at once in the same session.
SELECT o2c.is_business_day('2024-03-29', 'test_eu') AS before_delete;
DELETE FROM o2c.holiday WHERE calendar = 'test_eu' AND day = '2024-03-29';
SELECT o2c.is_business_day('2024-03-29', 'test_eu') AS after_delete;
UPDATE o2c.calendar SET weekend = '{7}' WHERE name = 'test_eu';
SELECT o2c.is_business_day('2024-03-30', 'test_eu') AS saturday_now_open;
BEGIN;
INSERT INTO o2c.holiday VALUES ('test_eu', '2024-03-29', 'Good Friday');
SELECT o2c.is_business_day('2024-03-29', 'test_eu') AS in_transaction;
ROLLBACK;
SELECT o2c.is_business_day('2024-03-29', 'test_eu') AS after_rollback;

-- ... and in another session (dblink), after that session has cached it.
CREATE EXTENSION dblink;
SELECT dblink_connect('other', format('dbname=%s host=%s port=%s', current_database(),
    split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));
SELECT * FROM dblink('other', $$SELECT o2c.is_business_day('2024-04-01', 'test_eu')$$) AS t(open boolean);
DELETE FROM o2c.holiday WHERE calendar = 'test_eu' AND day = '2024-04-01';
SELECT o2c.is_business_day('2024-04-01', 'test_eu') AS cached_here;
SELECT * FROM dblink('other', $$SELECT o2c.is_business_day('2024-04-01', 'test_eu')$$) AS t(open boolean);
SELECT dblink_exec('other', $$INSERT INTO o2c.holiday VALUES ('test_eu', '2024-04-01', 'Easter Monday')$$);
SELECT o2c.is_business_day('2024-04-01', 'test_eu') AS seen_here;
SELECT dblink_disconnect('other');
DROP EXTENSION dblink;

-- TRUNCATE also invalidates.
TRUNCATE o2c.holiday;
SELECT o2c.is_business_day('2024-12-25', 'test_eu') AS christmas_after_truncate;
DELETE FROM o2c.calendar WHERE name IN ('test_eu', 'test_gulf');
