-- Money splits, payment schedules, installment plans, dunning, late interest.
SET search_path = public, o2c;
SET datestyle = ISO, YMD;

-- Largest remainder: ties go to the earlier part; exact sums.
SELECT o2c.split_amount(100.00, '{1,1,1}') AS eur,
       o2c.split_amount(100, '{1,1,1}', 'JPY') AS jpy,
       o2c.split_amount(1, '{1,1,1}', 'KWD') AS kwd,
       o2c.split_amount(-100.00, '{1,1,1}') AS credit,
       o2c.split_amount(10.00, '{0.5,0.25,0.25}') AS fractions,
       o2c.split_amount(0.05, '{1,1,1,1,1,1}') AS pennies,
       o2c.split_amount(100.00, '{0,1,0}') AS zero_weights,
       o2c.split_amount(1000, '{3,3,1}', 'jpy') AS jpy_lower;

-- Payment schedules.
SELECT * FROM o2c.payment_schedule(100.00, '2024-01-31', '40% NET 0; 60% NET 30 EOM');
SELECT * FROM o2c.payment_schedule(1000.00, '2024-01-31', '33.33% 2/10 NET 10; 33.33% NET 30; 33.34% 15 PROX');
SELECT * FROM o2c.payment_schedule(100000, '2024-02-29', '50% NET 30; 50% NET 60', 'JPY');
SELECT * FROM o2c.payment_schedule(10.000, '2024-01-01', '2/10 NET 30', 'KWD');

INSERT INTO o2c.calendar VALUES ('test_sched', '{6,7}', 'modified_following');
INSERT INTO o2c.holiday VALUES ('test_sched', '2024-03-29', 'Good Friday'), ('test_sched', '2024-04-01', 'Easter Monday');
SELECT * FROM o2c.payment_schedule(300.00, '2024-02-28', '50% NET 30; 50% NET 33', 'EUR', 'test_sched');

-- Annuity: 10,000 at 6% over 12 months from Jan 31 (month ends stay month ends).
SELECT * FROM o2c.installment_plan(10000, 0.06, 12, '2024-01-31');
SELECT sum(principal) AS principal_total, sum(payment) - sum(interest) AS check_total
FROM o2c.installment_plan(10000, 0.06, 12, '2024-01-31');
SELECT * FROM o2c.installment_plan(1000, 0.10, 4, '2024-03-01', '3 months', 'KWD');
SELECT * FROM o2c.installment_plan(100000, 0.05, 3, '2024-01-15', '14 days', 'JPY');
SELECT * FROM o2c.installment_plan(100.00, 0, 3, '2024-01-31');

-- Late interest: act/365, act/360, 30E/360.
SELECT o2c.late_interest(1000.00, '2024-01-31', '2024-03-01', 0.09) AS act365,
       o2c.late_interest(1000.00, '2024-01-31', '2024-03-01', 0.09, 'act/360') AS act360,
       o2c.late_interest(1000.00, '2024-01-31', '2024-03-01', 0.09, '30E/360') AS e30_360,
       o2c.late_interest(1000.00, '2024-01-31', '2024-01-31', 0.09) AS on_time,
       o2c.late_interest(1000.00, '2024-01-31', '2024-01-20', 0.09) AS early,
       o2c.late_interest(100000, '2024-01-31', '2024-12-31', 0.08, 'act/365', 'JPY') AS jpy;

-- Dunning with the example policy.
SELECT o2c.install_example_policy() AS added;
SELECT o2c.install_example_policy() AS added_again;
SELECT * FROM o2c.dunning_policy ORDER BY policy, level;
SELECT * FROM o2c.dunning_schedule('2024-03-01', 'example');
SELECT * FROM o2c.dunning_schedule('2024-03-02', 'example');
SELECT * FROM o2c.dunning_schedule('2024-03-02', 'example', 'test_sched');
SELECT as_of, o2c.dunning_level('2024-03-01', as_of, 'example') AS level
FROM unnest('{2024-02-20,2024-03-07,2024-03-08,2024-03-22,2024-04-14,2024-04-15,2024-12-31}'::date[]) as_of;

DELETE FROM o2c.dunning_policy WHERE policy = 'example';
DELETE FROM o2c.calendar WHERE name = 'test_sched';
