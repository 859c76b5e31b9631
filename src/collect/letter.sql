-- letter: the letters a customer reads. Templates with {{placeholders}},
-- checked when saved; render_letter fills them, HTML-escaping values in the
-- HTML body (run_dunning writes the dunning letters, jobs/workflow.sql);
-- and the dunning fees per currency.

CREATE TABLE @extschema@.letter_template (
    kind      text NOT NULL CHECK (kind IN ('dunning')),
    level     integer NOT NULL DEFAULT 0 CHECK (level OPERATOR(pg_catalog.>=) 0),
    language  text NOT NULL CHECK (language OPERATOR(pg_catalog.~) '^[a-z]{2}(-[A-Z]{2})?$'),
    subject   text NOT NULL,
    body_text text NOT NULL,
    body_html text,
    PRIMARY KEY (kind, level, language)
);
COMMENT ON TABLE @extschema@.letter_template IS
    'letter templates per kind (dunning), level (0: any level without its own) and language (en, de, fr-CH, ...): subject, plain-text and optional HTML body with {{placeholders}}, checked when saved';
COMMENT ON COLUMN @extschema@.letter_template.body_html IS 'the HTML body, or NULL for plain-text letters; values are HTML-escaped into it';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.letter_template', '');

-- The placeholders a template of a kind may use.
CREATE FUNCTION @extschema@.letter_placeholders(kind text)
RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE kind WHEN 'dunning' THEN
    ARRAY['customer_id', 'customer_name', 'level', 'action', 'as_of', 'currency', 'items', 'invoice_count',
          'total_open', 'total_fee', 'total_interest', 'total_due', 'reference'] END;
COMMENT ON FUNCTION @extschema@.letter_placeholders(text) IS
    'the {{placeholders}} a letter template of the kind may use';

-- The placeholders of a text, in order: {{name}}, spaces inside allowed.
-- A "{{" without its "}}" is an error naming where it is.
CREATE FUNCTION @extschema@.letter_fields(template text, what text DEFAULT 'template')
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    rest   text := template;
    i      integer;
    j      integer;
    fields text[] := '{}';
BEGIN
    LOOP
        i := pg_catalog.strpos(rest, '{{');
        EXIT WHEN i OPERATOR(pg_catalog.=) 0;
        j := pg_catalog.strpos(pg_catalog.substr(rest, i OPERATOR(pg_catalog.+) 2), '}}');
        IF j OPERATOR(pg_catalog.=) 0 THEN
            RAISE EXCEPTION '"{{" without "}}" in %: "%"', what, pg_catalog.left(pg_catalog.substr(rest, i), 40)
                USING ERRCODE = '22023', HINT = 'Placeholders are written {{name}}.';
        END IF;
        fields := fields OPERATOR(pg_catalog.||)
                  pg_catalog.btrim(pg_catalog.substr(rest, i OPERATOR(pg_catalog.+) 2, j OPERATOR(pg_catalog.-) 1));
        rest := pg_catalog.substr(rest, i OPERATOR(pg_catalog.+) j OPERATOR(pg_catalog.+) 3);
    END LOOP;
    RETURN fields;
END
$$;
COMMENT ON FUNCTION @extschema@.letter_fields(text, text) IS
    'the {{placeholders}} of a template text, in order (an error for a "{{" without "}}")';

CREATE FUNCTION @extschema@.letter_template_check()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    known text[] := @extschema@.letter_placeholders(NEW.kind);
    part  text;
    f     text;
    what  text;
BEGIN
    FOREACH part IN ARRAY ARRAY['subject', 'body_text', 'body_html'] LOOP
        what := pg_catalog.format('%s of template %s/%s/%s', part, NEW.kind, NEW.level, NEW.language);
        FOREACH f IN ARRAY @extschema@.letter_fields(
                CASE part WHEN 'subject' THEN NEW.subject WHEN 'body_text' THEN NEW.body_text
                          ELSE coalesce(NEW.body_html, '') END, what) LOOP
            IF f OPERATOR(pg_catalog.<>) ALL (known) THEN
                RAISE EXCEPTION 'unknown placeholder {{%}} in %', pg_catalog.left(f, 40), what
                    USING ERRCODE = '22023',
                          HINT = 'A ' OPERATOR(pg_catalog.||) NEW.kind OPERATOR(pg_catalog.||) ' letter may use {{'
                                 OPERATOR(pg_catalog.||) pg_catalog.array_to_string(known, '}}, {{')
                                 OPERATOR(pg_catalog.||) '}}.';
            END IF;
        END LOOP;
    END LOOP;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.letter_template_check() IS
    'trigger: a letter template is saved only when every placeholder of its subject and bodies is one its kind knows';
CREATE TRIGGER letter_template_check BEFORE INSERT OR UPDATE ON @extschema@.letter_template
    FOR EACH ROW EXECUTE FUNCTION @extschema@.letter_template_check();

CREATE FUNCTION @extschema@.html_escape(value text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
           value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
COMMENT ON FUNCTION @extschema@.html_escape(text) IS
    'the text with & < > " and '' written as HTML character references';

-- A letter from a template: each {{name}} is the value of that key in
-- vals (an error naming a placeholder without one); {{items}} is the array
-- vals.items of objects (invoice_id, due_date, amount, currency,
-- days_overdue), one line each, or a table in HTML. In HTML every value is
-- escaped.
CREATE FUNCTION @extschema@.render_letter(template text, vals jsonb, html boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    rest   text := template;
    result text := '';
    i      integer;
    j      integer;
    f      text;
    v      text;
    it     jsonb;
BEGIN
    LOOP
        i := pg_catalog.strpos(rest, '{{');
        IF i OPERATOR(pg_catalog.=) 0 THEN
            RETURN result OPERATOR(pg_catalog.||) rest;
        END IF;
        j := pg_catalog.strpos(pg_catalog.substr(rest, i OPERATOR(pg_catalog.+) 2), '}}');
        IF j OPERATOR(pg_catalog.=) 0 THEN
            RAISE EXCEPTION '"{{" without "}}" in template: "%"', pg_catalog.left(pg_catalog.substr(rest, i), 40)
                USING ERRCODE = '22023';
        END IF;
        f := pg_catalog.btrim(pg_catalog.substr(rest, i OPERATOR(pg_catalog.+) 2, j OPERATOR(pg_catalog.-) 1));
        IF NOT vals OPERATOR(pg_catalog.?) f OR vals OPERATOR(pg_catalog.->) f OPERATOR(pg_catalog.=) 'null'::jsonb THEN
            RAISE EXCEPTION 'placeholder {{%}} has no value', pg_catalog.left(f, 40) USING ERRCODE = '22023';
        END IF;
        IF f OPERATOR(pg_catalog.=) 'items' THEN
            IF pg_catalog.jsonb_typeof(vals OPERATOR(pg_catalog.->) 'items') OPERATOR(pg_catalog.<>) 'array' THEN
                RAISE EXCEPTION 'placeholder {{items}} must be an array of invoices' USING ERRCODE = '22023';
            END IF;
            v := CASE WHEN html THEN '<table class="o2c-items">' ELSE '' END;
            FOR it IN SELECT e FROM pg_catalog.jsonb_array_elements(vals OPERATOR(pg_catalog.->) 'items') e LOOP
                IF html THEN
                    v := v OPERATOR(pg_catalog.||) pg_catalog.format(
                        '<tr><td>%s</td><td>%s</td><td style="text-align:right">%s %s</td><td style="text-align:right">%s</td></tr>',
                        @extschema@.html_escape(coalesce(it OPERATOR(pg_catalog.->>) 'invoice_id', '')),
                        @extschema@.html_escape(coalesce(it OPERATOR(pg_catalog.->>) 'due_date', '')),
                        @extschema@.html_escape(coalesce(it OPERATOR(pg_catalog.->>) 'amount', '')),
                        @extschema@.html_escape(coalesce(it OPERATOR(pg_catalog.->>) 'currency', '')),
                        @extschema@.html_escape(coalesce(it OPERATOR(pg_catalog.->>) 'days_overdue', '')));
                ELSE
                    v := v OPERATOR(pg_catalog.||) pg_catalog.format('  %-16s %-10s %14s %s %6s' OPERATOR(pg_catalog.||) E'\n',
                        coalesce(it OPERATOR(pg_catalog.->>) 'invoice_id', ''),
                        coalesce(it OPERATOR(pg_catalog.->>) 'due_date', ''),
                        coalesce(it OPERATOR(pg_catalog.->>) 'amount', ''),
                        coalesce(it OPERATOR(pg_catalog.->>) 'currency', ''),
                        coalesce(it OPERATOR(pg_catalog.->>) 'days_overdue', ''));
                END IF;
            END LOOP;
            IF html THEN
                v := v OPERATOR(pg_catalog.||) '</table>';
            END IF;
        ELSE
            v := vals OPERATOR(pg_catalog.->>) f;
            IF html THEN
                v := @extschema@.html_escape(v);
            END IF;
        END IF;
        result := result OPERATOR(pg_catalog.||) pg_catalog.substr(rest, 1, i OPERATOR(pg_catalog.-) 1)
                  OPERATOR(pg_catalog.||) v;
        rest := pg_catalog.substr(rest, i OPERATOR(pg_catalog.+) j OPERATOR(pg_catalog.+) 3);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.render_letter(text, jsonb, boolean) IS
    'fills a letter template: each {{name}} with vals->>name (HTML-escaped when html), {{items}} with the invoices of vals->items as lines or an HTML table; a placeholder without a value is an error naming it';

CREATE TABLE @extschema@.dunning_fee (
    policy   text NOT NULL,
    level    integer NOT NULL CHECK (level OPERATOR(pg_catalog.>) 0),
    currency text NOT NULL CHECK (currency OPERATOR(pg_catalog.~) '^[A-Z]{3}$'),
    fee      numeric NOT NULL CHECK (fee OPERATOR(pg_catalog.>=) 0 AND fee OPERATOR(pg_catalog.<) 'Infinity'),
    PRIMARY KEY (policy, level, currency)
);
COMMENT ON TABLE @extschema@.dunning_fee IS
    'the fee of a dunning level in a currency, where it differs from the policy''s fee (o2c.dunning_policy.fee applies to every other currency)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_fee', '');
