-- Letters a customer reads: templates checked when saved, rendered safely,
-- written by run_dunning one per customer and currency, in the customer's
-- language; fees per currency. In a database of its own.
SET client_min_messages = warning;
SELECT pg_catalog.current_database() AS regress_db \gset
DROP DATABASE IF EXISTS o2c_letter_test;
CREATE DATABASE o2c_letter_test;
\c o2c_letter_test
SET client_min_messages = warning;
SET datestyle = ISO;
\set SHOW_CONTEXT never
CREATE EXTENSION o2c;

-- Rendering: values replace placeholders; in HTML they are escaped.
SELECT o2c.render_letter('Dear {{customer_name}}, {{ total_due }} {{currency}} is due.',
                         '{"customer_name": "Smith & <Sons>", "total_due": "120.00", "currency": "EUR"}');
SELECT o2c.render_letter('<p>Dear {{customer_name}}</p>', '{"customer_name": "Smith & <Sons>"}', true);
SELECT o2c.render_letter('Open:' || E'\n' || '{{items}}',
                         '{"items": [{"invoice_id": "INV-1", "due_date": "2026-05-01", "amount": "100.00", "currency": "EUR", "days_overdue": "30"}]}');
SELECT o2c.render_letter('{{items}}', '{"items": [{"invoice_id": "<x>", "due_date": "2026-05-01", "amount": "1.00", "currency": "EUR", "days_overdue": "3"}]}', true);

-- Templates: English for any level, German for any level and for the final notice.
INSERT INTO o2c.letter_template (kind, level, language, subject, body_text, body_html) VALUES
    ('dunning', 0, 'en', 'Payment reminder: {{total_open}} {{currency}} overdue',
     E'Dear {{customer_name}},\n\nour records show these invoices open as of {{as_of}}:\n{{items}}\nPlease pay {{total_due}} {{currency}} (including fees of {{total_fee}}), quoting {{reference}}.\n',
     '<p>Dear {{customer_name}},</p><p>these invoices are open as of {{as_of}}:</p>{{items}}<p>Please pay <b>{{total_due}} {{currency}}</b>, quoting {{reference}}.</p>'),
    ('dunning', 0, 'de', 'Zahlungserinnerung: {{total_open}} {{currency}} überfällig',
     E'Sehr geehrte Damen und Herren ({{customer_name}}),\n\nzum {{as_of}} sind folgende Rechnungen offen:\n{{items}}\nBitte überweisen Sie {{total_due}} {{currency}} unter Angabe von {{reference}}.\n',
     NULL),
    ('dunning', 3, 'de', 'Letzte Mahnung: {{total_due}} {{currency}}',
     E'{{customer_name}}: letzte Mahnung (Stufe {{level}}).\n{{items}}Gebühr {{total_fee}}, Zinsen {{total_interest}}, zusammen {{total_due}} {{currency}}.\n',
     NULL);
SELECT kind, level, language, subject FROM o2c.letter_template ORDER BY level, language;

-- Fees: the example policy's 10.00 and 40.00 are 100 and 400 in SEK.
SELECT o2c.install_example_policy() AS example_levels;
INSERT INTO o2c.dunning_fee (policy, level, currency, fee) VALUES ('example', 2, 'SEK', 100), ('example', 3, 'SEK', 400);

CREATE TABLE lt_invoices (invoice_id text, customer_id text, customer_name text, due_date date,
                          open_amount numeric(12,2), currency text, language text);
INSERT INTO lt_invoices VALUES
    ('A-1', 'ACME',    'Acme & Co',          '2026-05-20', 1000.00, 'EUR', 'en'),
    ('A-2', 'ACME',    'Acme & Co',          '2026-06-01',  250.00, 'EUR', 'en'),
    ('M-1', 'MUELLER', 'Müller Maschinenbau', '2026-04-01', 3000.00, 'EUR', 'de'),
    ('M-2', 'MUELLER', 'Müller Maschinenbau', '2026-05-25',  500.00, 'EUR', 'de'),
    ('B-1', 'BOREAL',  'Boreal AB',          '2026-06-01', 8000.00, 'SEK', 'sv'),
    ('X-1', 'XENON',   NULL,                 '2026-06-20',  100.00, 'USD', NULL);
CALL o2c.run_dunning('SELECT * FROM lt_invoices', 'example', '2026-06-30');
-- One letter per customer and currency; BOREAL (sv) gets the English one.
SELECT id, customer_id, currency, level, language, subject, pg_catalog.cardinality(notice_ids) AS notices
FROM o2c.dunning_letter ORDER BY id;
SELECT body_text FROM o2c.dunning_letter WHERE customer_id = 'MUELLER';
SELECT body_html FROM o2c.dunning_letter WHERE customer_id = 'ACME';
SELECT invoice_id, level, fee, currency, letter_id IS NOT NULL AS in_a_letter FROM o2c.dunning_notice ORDER BY invoice_id;
-- The outbox lists the letters, not the notices they carry.
SELECT table_name, id FROM o2c.outbox ORDER BY table_name, id;
-- Sending a letter marks its notices sent.
UPDATE o2c.dunning_letter SET sent_at = '2026-06-30 09:00+00' WHERE customer_id = 'ACME';
SELECT invoice_id, sent_at IS NOT NULL AS sent FROM o2c.dunning_notice WHERE customer_id = 'ACME' ORDER BY invoice_id;

-- A template is checked when saved.
INSERT INTO o2c.letter_template (kind, level, language, subject, body_text)
VALUES ('dunning', 1, 'en', 'Reminder {{invoice_no}}', 'x');
INSERT INTO o2c.letter_template (kind, level, language, subject, body_text)
VALUES ('dunning', 1, 'en', 'Reminder', 'Dear {{customer_name');
UPDATE o2c.letter_template SET body_html = '<p>{{iban}}</p>' WHERE language = 'de' AND level = 0;
INSERT INTO o2c.letter_template (kind, level, language, subject, body_text) VALUES ('dunning', 1, 'english', 'x', 'y');
-- Rendering errors name the placeholder.
SELECT o2c.render_letter('Dear {{customer_name}}', '{}');
SELECT o2c.render_letter('{{items}}', '{"items": "A-1"}');

\c :regress_db
DROP DATABASE o2c_letter_test;
