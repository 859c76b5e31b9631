-- Collection strategies by segment: rules over customer attributes pick
-- each customer's policy, channel and collector; changes are logged.
-- In a database of its own.
SET client_min_messages = warning;
SELECT pg_catalog.current_database() AS regress_db \gset
DROP DATABASE IF EXISTS o2c_strategy_test;
CREATE DATABASE o2c_strategy_test;
\c o2c_strategy_test
SET client_min_messages = warning;
SET datestyle = ISO;
\set SHOW_CONTEXT never
CREATE EXTENSION o2c;

INSERT INTO o2c.collection_strategy (name, priority, rule, dunning_policy, channel, collector) VALUES
    ('broken promise',  10, '{"has_broken_promise": true}',                          'strict',  'call',   'anna'),
    ('strategic',       20, '{"segment": "key account"}',                            'gentle',  'call',   'anna'),
    ('risky large',     30, '{"risk_grade_at_least": "D", "min_balance": 10000}',   'strict',  'call',   'bruno'),
    ('nordics',         40, '{"country": ["SE", "NO", "DK", "FI"]}',                'example', 'email',  'carla'),
    ('everyone else',   99, '{}',                                                    'example', 'letter', NULL);

CREATE TABLE st_customers (customer_id text, segment text, country text, balance numeric, days_past_due int,
                           risk_grade text);
INSERT INTO st_customers VALUES
    ('ACME',   'key account', 'DE', 50000, 10, 'B'),
    ('BOREAL', 'retail',      'SE',  2000, 40, 'D'),
    ('CASTOR', 'retail',      'DE', 12000, 60, 'E'),
    ('DELTA',  'retail',      'FR',   300,  0, NULL),
    ('ECHO',   NULL,          NULL,  NULL, NULL, NULL);
SELECT * FROM o2c.assign_strategies('SELECT * FROM st_customers', '2026-06-30');

-- DELTA breaks a promise; CASTOR's balance drops; ECHO leaves the book.
SELECT o2c.record_promise('DELTA', 'EUR', 300, '2026-07-05', NULL, NULL, '2026-07-01') > 0 AS promised;
CALL o2c.run_promise_check('SELECT ''x'' AS payment_id, ''x'' AS customer_id, DATE ''2026-07-01'' AS received_on, 0 AS amount, ''EUR'' AS currency',
                           '2026-07-31');
UPDATE st_customers SET balance = 5000 WHERE customer_id = 'CASTOR';
DELETE FROM st_customers WHERE customer_id = 'ECHO';
SELECT * FROM o2c.assign_strategies('SELECT * FROM st_customers', '2026-07-31');
SELECT customer_id, strategy, channel, collector, assigned_on, attributes FROM o2c.strategy_assignment ORDER BY customer_id;
SELECT customer_id, from_strategy, to_strategy, changed_on FROM o2c.strategy_change ORDER BY id;
-- ECHO's leaving is logged too. Run again: nothing changes, nothing is logged.
SELECT pg_catalog.count(*) FILTER (WHERE changed) AS changed
FROM o2c.assign_strategies('SELECT * FROM st_customers', '2026-07-31');
SELECT pg_catalog.count(*) AS changes_logged FROM o2c.strategy_change;

-- The collector's morning list on 31 July: chaseable overdue (less what is
-- disputed or promised), the action due today, ranked.
SELECT o2c.install_example_policy() AS example_levels;
SELECT o2c.install_dispute_reasons() AS reasons;
CREATE TABLE st_invoices (invoice_id text, customer_id text, customer_name text, due_date date,
                          open_amount numeric(12,2), currency text);
INSERT INTO st_invoices VALUES
    ('A-1', 'ACME',   'Acme',   '2026-07-01', 4000.00, 'EUR'),
    ('B-1', 'BOREAL', 'Boreal', '2026-06-20', 1500.00, 'EUR'),
    ('B-2', 'BOREAL', 'Boreal', '2026-07-20',  500.00, 'EUR'),
    ('C-1', 'CASTOR', 'Castor', '2026-05-01', 5000.00, 'EUR'),
    ('D-1', 'DELTA',  'Delta',  '2026-06-15',  300.00, 'EUR'),
    ('F-1', 'FOXTROT', 'Foxtrot', '2026-07-10', 800.00, 'EUR');
SELECT o2c.open_dispute('B-1', 'EUR', 1500.00, 'damaged_goods', 'BOREAL', NULL, NULL, '2026-07-05') > 0 AS disputed;
SELECT o2c.record_promise('ACME', 'EUR', 4000.00, '2026-08-05', '{A-1}', NULL, '2026-07-28') > 0 AS promised;
SELECT collector, currency, priority_rank, customer_id, strategy, channel, action, dunning_level, chaseable,
       disputed, promised, money_days, reason
FROM o2c.collector_worklist('SELECT * FROM st_invoices', '2026-07-31');
SELECT customer_id, action FROM o2c.collector_worklist('SELECT * FROM st_invoices', '2026-07-31', 'anna');

-- Rules directly.
SELECT o2c.strategy_rule_met('{"country": ["SE", "NO"], "max_days_past_due": 30}', '{"country": "SE", "days_past_due": 12}') AS met,
       o2c.strategy_rule_met('{"min_balance": 1000}', '{"country": "SE"}') AS without_balance,
       o2c.strategy_rule_met('{}', '{}') AS empty_rule;

-- Errors.
INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '{"region": "EU"}', 'email');
INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '{"min_balance": "1000"}', 'email');
INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '{"risk_grade_at_least": "F"}', 'email');
INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '[]', 'email');
INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '{}', 'fax');
SELECT * FROM o2c.assign_strategies('SELECT ''A'' AS customer_id UNION ALL SELECT ''A''');
SELECT * FROM o2c.assign_strategies('SELECT 1 AS id');

\c :regress_db
DROP DATABASE o2c_strategy_test;
