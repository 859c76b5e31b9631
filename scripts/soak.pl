#!/usr/bin/perl
# o2c soak drivers, run by scripts/soak.sh (perl and DBD::Pg only).
#
#   soak.pl calls SECONDS SEED OUT   targeted random calls of every o2c
#       function, aggregate, procedure and trigger function found in pg_proc
#       at run time, with edge values per argument type and hostile inner
#       queries. A crash (lost connection) or an XX000 is a failure; other
#       errors with a SQLSTATE are fine. Also checks that no inner query wrote.
#   soak.pl sqlsmith 0 0 OUT         the errors sqlsmith logged (database
#       $O2C_SOAK_LOGDB): each XX000 query is run again as the sqlsmith role
#       with verbose errors; it is o2c's when the error's location is in o2c's
#       source, its context names o2c, or the query writes to a table with an
#       o2c trigger.
#   soak.pl jobs SECONDS SEED OUT    job runners, a writer, a mailer and a
#       canceller at once on the tables of schema soak (made by soak.sh), in
#       rounds; after each round, with everyone stopped: the money invariants
#       (see check_round).
#
# Connection from the libpq environment (PGHOST, PGPORT, PGUSER), database
# PGDATABASE. OUT receives "key value" counter lines and "failure: ..." lines.
use strict;
use warnings;
use DBI;
use Time::HiRes qw(time sleep);

my ($mode, $seconds, $seed, $out) = @ARGV;
die "usage: soak.pl calls|jobs|sqlsmith SECONDS SEED OUT\n" unless $mode && defined $out;
srand($seed);
my $deadline = time + $seconds;
my %count;
my @failures;
my @notes;
my %seen_failure;

# The jobs' inner queries (ordered, so that a fresh match_payments sees the same order).
my $PAY_SQL = "SELECT payment_id, received_on, amount, currency, payer_name, reference FROM soak.payment "
            . "WHERE NOT posted ORDER BY payment_id";
my $INV_SQL = "SELECT invoice_id, customer_id, customer_name, invoice_date, due_date, open_amount, currency, reference "
            . "FROM soak.invoice WHERE open_amount > 0 ORDER BY invoice_id";
my $MATCH_OPTS = '{"tolerance": 1}';

sub fail {
    my ($what) = @_;
    $count{failures}++;
    # The same defect found a thousand times is one line in the report.
    my $key = $what;
    $key =~ s/ -- (statement|query): .*//s;
    $key =~ s/\d+/N/g;
    $key =~ s/soak_trig_\w+|CONTEXT: .*//g;
    push @failures, $what unless $seen_failure{$key}++;
}

sub connect_db {
    my ($tries) = (30);
    while ($tries-- > 0) {
        my $dbh = DBI->connect('dbi:Pg:', undef, undef,
            { AutoCommit => 1, RaiseError => 0, PrintError => 0, PrintWarn => 0,
              pg_errorlevel => 2, pg_server_prepare => 0,
              # SQL may hold ? and :name (jsonb operators, casts): never placeholders.
              pg_placeholder_dollaronly => 1, pg_placeholder_nocolons => 1 });
        if ($dbh) {
            $dbh->do("SET client_min_messages = warning");
            $dbh->do("SET application_name = 'o2c-soak-$mode'");
            return $dbh;
        }
        sleep 1;    # the server may be restarting after a crash
    }
    die "soak.pl: cannot connect: $DBI::errstr\n";
}

sub lost {
    my ($dbh) = @_;
    my $st = $dbh->state // '';
    return 1 if $st =~ /^(0800[036]|57P0[123])$/;
    return !$dbh->ping;
}

sub write_out {
    open my $fh, '>', $out or die "soak.pl: $out: $!\n";
    print $fh "$_ $count{$_}\n" for sort keys %count;
    print $fh "failure: $_\n" for @failures;
    print $fh "note: $_\n" for @notes;
    close $fh;
}

sub pick { return $_[int(rand(@_))]; }
sub lit { my ($s) = @_; $s =~ s/'/''/g; return "'$s'"; }
sub short { my ($s) = @_; $s =~ s/\s+/ /g; return length($s) > 300 ? substr($s, 0, 300) . '...' : $s; }

if ($mode eq 'calls') { calls(); } elsif ($mode eq 'jobs') { jobs(); } elsif ($mode eq 'sqlsmith') { sqlsmith_report(); }
else { die "unknown mode $mode\n"; }
write_out();
exit(@failures ? 1 : 0);

# ---------------------------------------------------------------------------
# Targeted calls

my (%edge, @inner, @statements);

sub init_values {
    my $big = "pg_catalog.repeat('INV-1 ', 17000)";    # 100 KB
    $edge{text} = ['NULL', "''", "'x'", $big, "'Ünïcødé € 漢字'", "'INV-000123'", "'EUR'", "'XXX'", "'default'",
                   "'example'", "'TARGET'", "'NET 30'", "'2/10 NET 30'", "'DE89370400440532013000'",
                   "'DE89 3704 0044 0532 0130 00'", "'GB33BUKB20201555555555'", "'DEUTDEFF'", "'DE136695976'",
                   "'a\@b.example'", "'ZZ'", "E'\\t\\n\\r\\x01'", "'''; SELECT 1; --'", "pg_catalog.repeat('9', 5000)",
                   "'act/365'", "'30/360'", "'following'", "'modified_following'", "'reject'", "'-1'", "'NaN'",
                   "'infinity'", "'%s%n%x'", "pg_catalog.repeat('é', 20000)"];
    $edge{date} = ['NULL', "'infinity'", "'-infinity'", "'2024-02-29'", "'2024-06-30'", "'2026-06-30'",
                   "'4713-01-01 BC'", "'5874897-12-31'", "'1999-12-31'", 'CURRENT_DATE', "'2025-01-01'"];
    $edge{integer} = ['NULL', '0', '1', '-1', '30', '2147483647', '-2147483648', '12', '3'];
    $edge{smallint} = ['NULL', '0', '1', '-1', '32767', '-32768'];
    $edge{bigint} = ['NULL', '0', '1', '-1', '9223372036854775807', '-9223372036854775808'];
    $edge{numeric} = ['NULL', '0', '-0.01', '100', '1234.56', "'NaN'", "'Infinity'", "'-Infinity'", '1e100',
                      '-1e100', '1e-30', '99999999999999999999.99', '0.123456789012345678', '-5000', '2.5',
                      "pg_catalog.repeat('9', 1000)::numeric"];
    $edge{'double precision'} = ['NULL', '0', "'NaN'", "'Infinity'", '-1', '1e308'];
    $edge{boolean} = ['NULL', 'true', 'false'];
    $edge{interval} = ['NULL', "'1 month'", "'0'", "'-1 day'", "'1000000 years'", "'1 second'", "'1 mon -31 days'",
                       "'14 days'"];
    $edge{jsonb} = ['NULL', "'{}'", "'[]'", "'null'", "'\"x\"'", "'{\"tolerance\": \"NaN\"}'",
                    "'{\"auto_threshold\": 1e308}'", "'{\"unknown\": 1}'", "'{\"wait\": false}'",
                    "'{\"keep_runs\": -1}'", "'{\"as_of\": \"infinity\"}'", "'{\"rules\": [\"nope\"]}'",
                    "'{\"tolerance\": 15, \"tolerance_percent\": 0.5}'", "'{\"max_steps\": 2147483648}'",
                    "'{\"max_candidates\": -5, \"max_invoices\": 0}'", "'{\"margin\": null}'",
                    "'{\"risk_model\": \"demo\", \"history_sql\": \"SELECT * FROM public.risk_demo_invoices\"}'",
                    "'{\"as_of\": \"2024-06-30\", \"rules\": [\"suspected_duplicate\"]}'",
                    "pg_catalog.repeat('[', 5000)::text || pg_catalog.repeat(']', 5000)",
                    "pg_catalog.jsonb_build_object('x', pg_catalog.repeat('y', 100000))",
                    "'{\"invoices_sql\": \"SELECT * FROM public.invoices\", \"ledger\": \"edge\", \"as_of\": \"2026-06-30\", \"policy\": \"example\"}'"];
    $edge{'integer[]'} = ['NULL', "'{}'", "'{30,60,90}'", "'{90,60,30}'", "'{NULL}'", "'{-1}'", "'{2147483647}'",
                          "'{{1,2},{3,4}}'", 'ARRAY(SELECT pg_catalog.generate_series(1, 1000))'];
    $edge{'numeric[]'} = ['NULL', "'{}'", "'{1,2,3}'", "'{NaN}'", "'{-1,1}'", "'{NULL}'", "'{1e100,1}'", "'{0,0}'",
                          "'{Infinity}'"];
    $edge{'text[]'} = ['NULL', "'{}'", "'{customer_id}'", "'{nope}'", "'{NULL}'", "'{customer_id,due_date,open_amount}'"];
    $edge{'o2c.terms'} = ['NULL', "'NET 30'", "'2/10 NET 30'", "'NET 0'", "'EOM'", "'30/40/30 NET 30, 60, 90'",
                          "'NET 2147483647'"];
    $edge{'o2c.iban'} = ['NULL', "'DE89370400440532013000'", "'GB33BUKB20201555555555'"];
    $edge{'o2c.aging_state'} = ['NULL', "'zz'", "'0300'",
        "o2c.aging_trans(NULL, 12.50, DATE '2024-06-01', DATE '2024-06-30')",
        "o2c.aging_trans(NULL, 1e25 + 0.5, NULL, DATE '2024-06-30')",
        "o2c.aging_trans(NULL, 7, DATE '2024-06-01', DATE '2024-06-30', '{0,15}')",
        "o2c.aging_disputed_trans(NULL, 9, DATE '2024-05-01', DATE '2024-06-30', 4)",
        "(SELECT o2c.aging_trans(NULL, 1, DATE '2024-06-01', DATE '2024-07-31'))"];
    $edge{'o2c.days_state'} = ['NULL', "'02'", "o2c.days_to_pay_trans(NULL, 10.5, DATE '2024-06-01', DATE '2024-06-30')",
        "o2c.days_late_trans(NULL, 1e30, DATE '2024-06-01', DATE '2024-06-30')"];
    $edge{cstring} = [@{ $edge{text} },
        map { "o2c.aging_state_out($_)::text" } grep { $_ ne 'NULL' && $_ !~ /^'/ } @{ $edge{'o2c.aging_state'} }];

    # Inner queries: good ones over the demo data, and hostile ones.
    my $inv = "SELECT * FROM public.invoices";
    @inner = (
        'NULL', "''", lit($inv), lit("$inv WHERE open_amount <> 0"), lit("SELECT * FROM public.demo_ar_open"),
        lit("SELECT line_id AS payment_id, booked AS received_on, amount, currency, counterparty AS payer_name, "
          . "iban AS payer_iban, remittance AS reference FROM public.demo_bank_lines"),
        lit("SELECT * FROM public.risk_demo_invoices"), lit("SELECT * FROM public.demo_payment"),
        lit("SELECT customer_id, name AS customer_name, country FROM public.customers"),
        lit("SELECT * FROM public.demo_bank_line"),
        # errors, wrong types, nulls, duplicates, non-queries
        lit("SELECT 1/0"), lit("SELEC x"), lit("SELECT * FROM nowhere"), lit("SELECT 1; SELECT 2"),
        lit("SELECT 1 AS invoice_id, 2 AS customer_id, 'x' AS due_date, 'y'::text AS open_amount, 1 AS amount, "
          . "1 AS payment_id, 'z' AS invoice_date, 3 AS currency"),
        lit("SELECT NULL::text AS invoice_id, NULL AS customer_id, NULL::date AS due_date, NULL::numeric AS open_amount, "
          . "NULL::numeric AS amount, NULL AS payment_id, NULL::date AS invoice_date, NULL::date AS paid_on"),
        lit("SELECT 1 AS invoice_id, 2 AS invoice_id"),
        lit("SELECT 'a' AS invoice_id, 'c' AS customer_id, 'infinity'::date AS due_date, 'NaN'::numeric AS open_amount, "
          . "'NaN'::numeric AS amount, 'p' AS payment_id, '-infinity'::date AS invoice_date, '-infinity'::date AS received_on, "
          . "'infinity'::date AS paid_on, 'EUR' AS currency"),
        lit("SELECT 'a' AS invoice_id, 'c' AS customer_id, DATE '2024-01-01' AS due_date, 1e30::numeric AS open_amount, "
          . "-1e30::numeric AS amount, 'p' AS payment_id, DATE '2023-12-01' AS invoice_date, DATE '2024-02-01' AS received_on, "
          . "'NET 30' AS terms, 'EUR' AS currency, 'x' AS reference"),
        lit("SELECT * FROM public.invoices WHERE false"),
        lit("SELECT invoice_id, customer_id, due_date, open_amount::float8 AS open_amount FROM public.invoices"),
        lit("SELECT invoice_id::int AS invoice_id FROM public.invoices"),
        lit("VALUES (1, 2)"), lit("SHOW search_path"), lit("EXPLAIN $inv"),
        # side effects attempted: must be refused, never applied
        lit("INSERT INTO soak.canary VALUES ('inner query wrote') RETURNING 'x' AS invoice_id, 'c' AS customer_id, "
          . "CURRENT_DATE AS due_date, 1::numeric AS open_amount, 'p' AS payment_id, 1::numeric AS amount"),
        lit("WITH d AS (INSERT INTO soak.canary VALUES ('inner query wrote (CTE)') RETURNING 1) "
          . "SELECT 'x' AS invoice_id, 'c' AS customer_id, CURRENT_DATE AS due_date, 1::numeric AS open_amount FROM d"),
        lit("DELETE FROM public.invoices RETURNING *"), lit("CREATE TABLE soak.made_by_inner_query (x int)"),
        lit("SELECT pg_catalog.set_config('search_path', 'public', false), * FROM public.invoices"),
        lit("SELECT pg_catalog.nextval('soak.canary_seq') AS invoice_id, 'c' AS customer_id, CURRENT_DATE AS due_date, "
          . "1::numeric AS open_amount"),
        # very large results (bounded by statement_timeout)
        lit("SELECT g::text AS invoice_id, (g % 1000)::text AS customer_id, DATE '2024-01-01' + (g % 365) AS due_date, "
          . "DATE '2023-12-01' + (g % 365) AS invoice_date, (g % 997 + 1)::numeric AS open_amount, "
          . "(g % 997 + 1)::numeric AS amount, 'EUR' AS currency, g::text AS payment_id, g::text AS reference, "
          . "DATE '2024-02-01' AS received_on FROM pg_catalog.generate_series(1, 200000) g"),
        lit("SELECT pg_catalog.repeat('x', 1000000) AS invoice_id, 'c' AS customer_id, CURRENT_DATE AS due_date, "
          . "1::numeric AS open_amount, pg_catalog.repeat('y', 1000000) AS reference"),
    );

    # Bank statements: the demo's files (from the soak database), mutated, and hostile ones.
    @statements = ('NULL', "''", "'x'", "(SELECT body FROM public.demo_bank_file WHERE format = 'mt940')",
        "(SELECT body FROM public.demo_bank_file WHERE format = 'camt053')",
        "(SELECT pg_catalog.replace(body, ':61:', ':61:X') FROM public.demo_bank_file WHERE format = 'mt940')",
        "(SELECT pg_catalog.left(body, 400) FROM public.demo_bank_file WHERE format = 'mt940')",
        "(SELECT pg_catalog.left(body, 900) FROM public.demo_bank_file WHERE format = 'camt053')",
        "(SELECT pg_catalog.replace(body, '6715.75', '6715.7x') FROM public.demo_bank_file WHERE format = 'camt053')",
        "(SELECT pg_catalog.replace(body, '<Ntry>', '<Ntry><Ntry>') FROM public.demo_bank_file WHERE format = 'camt053')",
        "(SELECT pg_catalog.replace(body, 'encoding=\"UTF-8\"', 'encoding=\"UTF-7\"') FROM public.demo_bank_file WHERE format = 'camt053')",
        lit("<?xml version=\"1.0\" encoding=\"UTF-7\"?>+ADw-!DOCTYPE d +AFs-+ADw-!ENTITY e SYSTEM \"file:///etc/passwd\"+AD4-+AF0-+AD4-<Document/>"),
        lit("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><Document>&b;</Document>"),
        "(SELECT pg_catalog.repeat(body, 50) FROM public.demo_bank_file WHERE format = 'mt940')",
        "pg_catalog.repeat(':61:2503110311C1,00NTRFNONREF//X' || E'\\n' || ':86:' || pg_catalog.repeat('a', 3000) || E'\\n', 30)",
        lit("01,SENDER,RECEIVER,250311,0800,1,,,2/\n02,RECEIVER,BANK,1,250310,,EUR,2/\n03,123456789,EUR,010,100000,,,015,1,,/\n"
          . "16,175,99999999999999999999,,REF,BANKREF,text/\n49,100000,3/\n98,1,1,5/\n99,1,1,7/"),
        "pg_catalog.repeat('<a>', 100000)", "'{1:F01'");
}

sub value_for {
    my ($type, $name) = @_;
    $name //= '';
    if ($type eq 'text' && $name =~ /_sql$/) { return pick(@inner); }
    if ($type eq 'text' && $name eq 'statement') { return pick(@statements); }
    my $list = $edge{$type};
    return 'NULL' unless $list;
    return pick(@$list);
}

sub cast_for {
    my ($type) = @_;
    return $type eq 'o2c.terms' ? 'o2c.terms' : $type eq 'o2c.iban' ? 'o2c.iban' : $type;
}

sub calls {
    my $dbh = connect_db();
    init_values();
    $dbh->do("SET statement_timeout = '3s'");
    $dbh->do("SET lock_timeout = '1s'");
    my $rows = $dbh->selectall_arrayref(q{
        SELECT p.oid, p.proname, p.prokind, p.proretset, p.pronargs, p.pronargdefaults,
               pg_catalog.format_type(p.prorettype, NULL),
               ARRAY(SELECT pg_catalog.format_type(t, NULL) FROM pg_catalog.unnest(p.proargtypes) WITH ORDINALITY u(t, i) ORDER BY i),
               coalesce(p.proargnames, '{}'), p.oid::pg_catalog.regprocedure::text
          FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'o2c'::pg_catalog.regnamespace
         ORDER BY p.oid});
    my (@targets, %called, %skipped);
    for my $r (@$rows) {
        my ($oid, $name, $kind, $retset, $nargs, $ndef, $rettype, $types, $names, $sig) = @$r;
        if ($name =~ /_recv$/ && @$types == 1) {
            # A type's binary input: fed through COPY ... (FORMAT binary).
            $types = [];
            $rettype = 'recv';
        } elsif (grep { $_ eq 'internal' } @$types) {
            $skipped{$sig} = 'takes internal: reached through its aggregate';
            next;
        }
        # O2C_SOAK_ONLY=regex limits the calls to some functions (to reproduce).
        next if $ENV{O2C_SOAK_ONLY} && $name !~ /$ENV{O2C_SOAK_ONLY}/;
        push @targets, { name => $name, kind => $kind, retset => $retset, ndef => $ndef,
                         rettype => $rettype, types => $types, names => $names, sig => $sig };
    }
    $count{calls_functions} = scalar @targets;
    $count{calls_functions_skipped} = scalar keys %skipped;
    my $i = 0;
    while (time < $deadline) {
        # Every function once before any twice, then at random.
        my $f = $i < @targets ? $targets[$i] : $targets[int(rand(@targets))];
        $i++;
        my $sql;
        if (lost($dbh)) { $dbh = connect_db(); $dbh->do("SET statement_timeout = '3s'"); $dbh->do("SET lock_timeout = '1s'"); }
        if ($f->{rettype} eq 'trigger') {
            trigger_scenario($dbh, $f);
            $called{$f->{sig}}++;
            next;
        }
        if ($f->{rettype} eq 'recv') {
            recv_scenario($dbh, $f);
            $called{$f->{sig}}++;
            next;
        }
        my @args;
        my $n = scalar @{ $f->{types} };
        $n -= int(rand($f->{ndef} + 1)) if $f->{ndef};
        for my $k (0 .. $n - 1) {
            my $t = $f->{types}[$k];
            my $v = value_for($t, $f->{names}[$k]);
            push @args, "${v}::" . cast_for($t);
        }
        my $call = "o2c.$f->{name}(" . join(', ', @args) . ")";
        if ($f->{kind} eq 'p') {
            $sql = "CALL $call";
        } elsif ($f->{kind} eq 'a' && rand() < 0.3) {
            # An aggregate over the demo's invoices in a forced parallel plan
            # (partial states serialized, combined), edge values elsewhere.
            my %col = (numeric => ['open_amount', 'amount'], date => ['due_date', 'invoice_date', 'paid_on']);
            my @a = map { my $t = $f->{types}[$_]; $col{$t} && rand() < 0.8 ? pick(@{ $col{$t} })
                          : value_for($t) . '::' . cast_for($t) } 0 .. $n - 1;
            $dbh->do("SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0");
            run_call($dbh, "SELECT customer_id, o2c.$f->{name}(" . join(', ', @a) . ")::text FROM public.invoices "
                         . "GROUP BY customer_id", $f->{sig});
            run_call($dbh, "SELECT o2c.$f->{name}(" . join(', ', @a) . ")::text FROM public.invoices", $f->{sig});
            $dbh->do("RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size");
            $called{$f->{sig}}++;
            next;
        } elsif ($f->{kind} eq 'a') {
            # An aggregate over 1 to 4 rows of edge values.
            my @cols = map { "c$_" } 0 .. $n - 1;
            my @vals;
            for (1 .. 1 + int(rand(4))) {
                push @vals, '(' . join(', ', map { value_for($f->{types}[$_]) . '::' . cast_for($f->{types}[$_]) } 0 .. $n - 1) . ')';
            }
            $sql = "SELECT o2c.$f->{name}(" . join(', ', @cols) . ")::text FROM (VALUES " . join(', ', @vals)
                 . ") v(" . join(', ', @cols) . ")";
        } elsif ($f->{retset}) {
            $sql = "SELECT pg_catalog.count(*), pg_catalog.md5(pg_catalog.string_agg(r::text, '|')) FROM $call r";
        } else {
            $sql = "SELECT $call";
        }
        run_call($dbh, $sql, $f->{sig});
        $called{$f->{sig}}++;
    }
    $dbh = connect_db() if lost($dbh);
    $count{calls_functions_called} = scalar keys %called;
    my @never = grep { !$called{$_->{sig}} } @targets;
    $count{calls_functions_not_reached} = scalar @never;
    # Inner queries run read-only: nothing may have been written through them.
    my ($wrote) = $dbh->selectrow_array("SELECT pg_catalog.count(*) FROM soak.canary");
    my ($made) = $dbh->selectrow_array("SELECT pg_catalog.to_regclass('soak.made_by_inner_query') IS NOT NULL");
    $count{calls_invariant_checks} += 2;
    fail("an inner query wrote $wrote rows into soak.canary") if $wrote;
    fail("an inner query created soak.made_by_inner_query") if $made;
}

sub run_call {
    my ($dbh, $sql, $what) = @_;
    $count{calls_sent}++;
    my $sth = $dbh->prepare($sql);
    if ($sth && $sth->execute) {
        $sth->fetchall_arrayref;
        $count{calls_ok}++;
        return;
    }
    my $st = $dbh->state // '';
    my $err = $dbh->errstr // '';
    if ($st =~ /^(0800[036]|57P0[123])$/ || !$dbh->ping) {
        $count{calls_connection_lost}++;
        fail("connection lost (crash?) in $what: " . short($sql) . " -- " . short($err));
    } elsif ($st eq 'XX000') {
        $count{calls_internal_errors}++;
        fail("XX000 in $what: " . short($err) . " -- statement: " . short($sql));
    } elsif ($st eq '57014') {
        $count{calls_timeouts}++;
    } else {
        $count{calls_errors}++;
        $count{"calls_state_$st"}++ if $ENV{O2C_SOAK_DEBUG};
    }
}

# A trigger function on a fresh table: columns in random order with extras
# before, between and after, a dropped column, a column added after the
# trigger; random trigger arguments; then INSERT, UPDATE, MERGE, ON CONFLICT
# and COPY with edge values, all rolled back.
sub trigger_scenario {
    my ($dbh, $f) = @_;
    my @std = (['doc_no', 'text'], ['customer', 'text'], ['issued', 'date'], ['due', 'date'],
               ['total', 'numeric'], ['open', 'numeric'], ['cur', 'text'], ['iban', 'text'], ['pay_terms', 'text']);
    my @cols = grep { rand() < 0.85 } @std;
    @cols = (['doc_no', 'text']) unless @cols;
    @cols = sort { rand() <=> 0.5 } @cols;
    my @layout;
    push @layout, ['id', 'bigint GENERATED BY DEFAULT AS IDENTITY'];
    for my $c (@cols) {
        push @layout, ["x$c->[0]", 'int'] if rand() < 0.3;
        push @layout, $c;
    }
    push @layout, ['note', 'text'] if rand() < 0.7;
    push @layout, ['gone', 'int'] if rand() < 0.4;
    my %has = map { $_->[0] => 1 } @cols;
    my @targs;
    if ($f->{name} eq 'invoice_guard') {
        my %map = (invoice_id => 'doc_no', customer_id => 'customer', invoice_date => 'issued',
                   due_date => 'due', amount => 'total', open_amount => 'open', currency => 'cur',
                   iban => 'iban', terms => 'pay_terms');
        for my $k (sort keys %map) {
            push @targs, "$k=$map{$k}" if ($has{$map{$k}} || rand() < 0.05) && rand() < 0.9;
        }
        push @targs, pick('mode=record', 'mode=reject', 'mode=bogus') if rand() < 0.8;
        push @targs, pick('rules=negative_amount', 'rules=nope', 'rules=suspected_duplicate', 'calendar=TARGET',
                          'calendar=nowhere', 'junk', '=', 'invoice_id=') if rand() < 0.2;
    }
    my $tbl = 'soak_trig_' . int(rand(1e9));
    my $pk = $has{doc_no} && rand() < 0.8 ? ", PRIMARY KEY (doc_no)" : '';
    my $form = $f->{name} eq 'invoice_guard' && rand() < 0.3 ? 'statement' : 'row';
    my @steps = ("CREATE TEMP TABLE $tbl (" . join(', ', map { "$_->[0] $_->[1]" } @layout) . "$pk)");
    my $targ = join(', ', map { lit($_) } @targs);
    if ($form eq 'row') {
        push @steps, "CREATE TRIGGER g BEFORE INSERT OR UPDATE ON $tbl FOR EACH ROW EXECUTE FUNCTION o2c.$f->{name}($targ)";
    } else {
        push @steps, "CREATE TRIGGER gi AFTER INSERT ON $tbl REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                   . "EXECUTE FUNCTION o2c.$f->{name}($targ)";
        push @steps, "CREATE TRIGGER gu AFTER UPDATE ON $tbl REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                   . "EXECUTE FUNCTION o2c.$f->{name}($targ)";
    }
    push @steps, "ALTER TABLE $tbl DROP COLUMN gone" if grep { $_->[0] eq 'gone' } @layout;
    push @steps, "ALTER TABLE $tbl ADD COLUMN later text DEFAULT 'x'" if rand() < 0.5;
    my %val = (
        doc_no => ["'INV-1'", "'INV-2'", "''", 'NULL', "pg_catalog.repeat('D', 100000)"],
        customer => ["'C1'", 'NULL', "''"],
        issued => ["'2024-01-01'", "'infinity'", "'-infinity'", 'NULL', "'5874897-12-31'"],
        due => ["'2024-01-31'", "'2023-12-01'", 'NULL', "'infinity'"],
        total => ['100', '-5', "'NaN'", '1e100', 'NULL', '0', "'Infinity'"],
        open => ['100', '200', "'NaN'", 'NULL', '-1'],
        cur => ["'EUR'", "'eur'", "'ZZZ'", 'NULL', "''"],
        iban => ["'DE89 3704 0044 0532 0130 00'", "'DE00 0000'", "''", 'NULL', "pg_catalog.repeat('D', 100000)"],
        pay_terms => ["'NET 30'", "'2/10 NET 30'", "'bogus'", 'NULL', "'NET 2147483647'"],
    );
    my @names = map { $_->[0] } @cols;
    my $row = sub { '(' . join(', ', map { pick(@{ $val{$_} }) } @names) . ')' };
    my $collist = join(', ', @names);
    my $set = join(', ', map { "$_ = $_" } @names);
    push @steps, "INSERT INTO $tbl ($collist) VALUES " . join(', ', map { $row->() } 1 .. 1 + int(rand(3)));
    push @steps, "UPDATE $tbl SET $set";
    push @steps, "UPDATE $tbl SET note = 'n'" if grep { $_->[0] eq 'note' } @layout;
    push @steps, "MERGE INTO $tbl t USING (VALUES " . $row->() . ") s($collist) ON false "
               . "WHEN NOT MATCHED THEN INSERT ($collist) VALUES (" . join(', ', map { "s.$_" } @names) . ")";
    if ($has{doc_no} && $pk) {
        push @steps, "INSERT INTO $tbl ($collist) VALUES " . $row->() . " ON CONFLICT (doc_no) DO UPDATE SET "
                   . join(', ', map { "$_ = EXCLUDED.$_" } @names);
    }
    push @steps, ['COPY', "COPY $tbl ($collist) FROM STDIN", join("\t", map { copy_value($_) } @names) . "\n"];
    $dbh->begin_work;
    for my $s (@steps) {
        last if time > $deadline;
        $dbh->do("SAVEPOINT s");
        my $ok;
        $count{calls_sent}++;
        if (ref $s) {
            $ok = $dbh->do($s->[1]) && $dbh->pg_putcopydata($s->[2]) && $dbh->pg_putcopyend;
            $s = $s->[1];
        } else {
            $ok = $dbh->do($s);
        }
        if ($ok) {
            $count{calls_ok}++;
            # Later steps build on earlier ones: keep what worked.
            $dbh->do("RELEASE SAVEPOINT s");
            next;
        }
        classify_dml($dbh, $s, $f->{sig});
        return unless $dbh->ping;
        $dbh->do("ROLLBACK TO SAVEPOINT s");
    }
    $dbh->rollback;
}

# Binary input of an o2c type: COPY ... (FORMAT binary) of one row whose
# field is empty, short, random bytes, or a valid value's send form mangled.
sub recv_scenario {
    my ($dbh, $f) = @_;
    my ($type) = $dbh->selectrow_array(
        "SELECT t.oid::pg_catalog.regtype::text FROM pg_catalog.pg_type t WHERE t.typreceive = "
        . "'$f->{sig}'::pg_catalog.regprocedure");
    return unless $type;
    my %sample = ('o2c.terms' => "'2/10 NET 30'::o2c.terms", 'o2c.iban' => "'DE89370400440532013000'::o2c.iban",
                  'o2c.aging_state' => "o2c.aging_trans(NULL, 1e25 + 0.5, DATE '2024-06-01', DATE '2024-06-30')",
                  'o2c.days_state' => "o2c.days_late_trans(NULL, 10.5, DATE '2024-06-01', DATE '2024-06-30')");
    return unless $sample{$type};
    my ($good) = $dbh->selectrow_array("SELECT o2c.${\ ($type =~ s/^o2c\.//r)}_send($sample{$type})");
    my @payloads = ('', "\0", "\0\0\0", join('', map { chr(int(rand(256))) } 1 .. int(rand(64))),
                    $good // '', substr($good // '', 0, int(length($good // '') / 2)), ($good // '') . "\xff\xff",
                    "\xff" x 1000);
    my $payload = pick(@payloads);
    my $data = "PGCOPY\n\377\r\n\0" . pack('NN', 0, 0) . pack('nN', 1, length($payload)) . $payload . pack('n', 0xffff);
    $dbh->begin_work;
    $dbh->do("CREATE TEMP TABLE soak_recv (v $type)");
    $count{calls_sent}++;
    my $sql = "COPY soak_recv FROM STDIN (FORMAT binary)";
    if ($dbh->do($sql) && $dbh->pg_putcopydata($data) && $dbh->pg_putcopyend) {
        $count{calls_ok}++;
    } elsif (($dbh->state // '') eq '08P01' && $type eq 'o2c.terms') {
        # README promises 22P03 for any bad binary terms (PostgreSQL's own
        # types, and o2c.iban, answer 08P01 for a short payload).
        $count{calls_errors}++;
        fail("binary input of $type answered 08P01 where 22P03 is promised: " . short($dbh->errstr)
             . " -- payload " . unpack('H*', substr($payload, 0, 40)));
    } else {
        classify_dml($dbh, "$sql -- payload " . unpack('H*', substr($payload, 0, 40)), $f->{sig});
    }
    $dbh->rollback if $dbh->ping;
}

sub copy_value {
    my ($col) = @_;
    my %v = (doc_no => ['INV-9', '\N', ''], customer => ['C1', '\N'], issued => ['2024-01-01', 'infinity', '\N'],
             due => ['2024-01-31', '\N'], total => ['100', 'NaN', '-3'], open => ['100', '\N'],
             cur => ['EUR', 'ZZZ'], iban => ['DE89370400440532013000', 'XX'], pay_terms => ['NET 30', 'junk']);
    return pick(@{ $v{$col} || ['\N'] });
}

sub classify_dml {
    my ($dbh, $sql, $what) = @_;
    my $st = $dbh->state // '';
    my $err = $dbh->errstr // '';
    if (!$dbh->ping) {
        $count{calls_connection_lost}++;
        fail("connection lost (crash?) in trigger $what: " . short($sql) . " -- " . short($err));
    } elsif ($st eq 'XX000') {
        $count{calls_internal_errors}++;
        fail("XX000 in trigger $what: " . short($err) . " -- statement: " . short($sql));
    } else {
        $count{calls_errors}++;
        $count{"calls_state_$st"}++ if $ENV{O2C_SOAK_DEBUG};
    }
}

# ---------------------------------------------------------------------------
# Job runners, writer, mailer

sub jobs {
    my $round_secs = $ENV{O2C_SOAK_ROUND_SECONDS} || 20;
    my $round = 0;
    my $dbh = connect_db();
    $dbh->do("SET lock_timeout = '60s'");
    while (time + 5 < $deadline) {
        $round++;
        my $end = time + $round_secs;
        $end = $deadline - 3 if $end > $deadline - 3;
        my @kids;
        for my $who (qw(cash cash dunning aging quality writer mailer canceller)) {
            my $pid = fork;
            die "fork: $!" unless defined $pid;
            if ($pid == 0) { worker($who, $end, $round); }
            push @kids, [$pid, $who];
        }
        for my $k (@kids) {
            waitpid($k->[0], 0);
            merge_counts("$out.$k->[0]");
        }
        unless ($dbh->ping) { $dbh = connect_db(); $dbh->do("SET lock_timeout = '60s'"); }
        check_round($dbh, $round);
        $count{jobs_rounds}++;
    }
}

sub merge_counts {
    my ($file) = @_;
    open my $fh, '<', $file or return;
    while (<$fh>) {
        chomp;
        if (/^failure: (.*)$/) { fail($1); }
        elsif (/^(\S+) (\d+)$/) { $count{$1} += $2 unless $1 eq 'failures'; }
    }
    close $fh;
    unlink $file;
}


sub worker {
    my ($who, $end, $round) = @_;
    srand($seed * 1000 + $round * 10 + $$);
    %count = ();
    @failures = ();
    $out = "$out.$$";
    my $dbh = connect_db();
    $dbh->do("SET lock_timeout = '60s'");
    my $as_of = "DATE '2026-06-30' + $round";
    while (time < $end) {
        my ($sql, $kind);
        if ($who eq 'cash') {
            $sql = "CALL o2c.run_cash_application(" . lit($PAY_SQL) . ", " . lit($INV_SQL) . ", " . lit($MATCH_OPTS)
                 . ", 'soak')";
        } elsif ($who eq 'dunning') {
            $sql = "CALL o2c.run_dunning(" . lit("SELECT * FROM soak.invoice") . ", 'example', $as_of, 'soak')";
        } elsif ($who eq 'aging') {
            $sql = "CALL o2c.snapshot_aging(" . lit("SELECT * FROM soak.invoice WHERE open_amount <> 0")
                 . ", $as_of, '{30,60,90,120}', 'soak')";
        } elsif ($who eq 'quality') {
            $sql = "CALL o2c.run_quality_scan(" . lit("SELECT * FROM soak.invoice") . ", '{}', 'soak')";
        } elsif ($who eq 'canceller') {
            canceller_step($dbh, $as_of);
            sleep 0.3;
            next;
        } elsif ($who eq 'writer') {
            writer_step($dbh, $round);
            sleep 0.5;
            next;
        } else {
            mailer_step($dbh);
            sleep 0.1;
            next;
        }
        $count{jobs_runs}++;
        $count{queries_jobs}++;
        if ($dbh->do($sql)) {
            $count{jobs_succeeded}++;
            sleep 0.05;
        } else {
            my $st = $dbh->state // '';
            if ($st eq '40P01') { $count{jobs_deadlocks}++; }
            elsif ($st eq '40001') { $count{jobs_serialization_failures}++; }
            elsif ($st eq '55P03') { $count{jobs_lock_timeouts}++; fail("$who job waited over 60 s for a lock: " . short($dbh->errstr)); }
            elsif ($st eq 'XX000') { $count{jobs_internal_errors}++; fail("XX000 in $who job: " . short($dbh->errstr)); }
            elsif (!$dbh->ping) { $count{jobs_connection_lost}++; $dbh = connect_db(); $dbh->do("SET lock_timeout = '60s'"); }
            else { $count{jobs_failed_other}++; fail("$who job failed: $st " . short($dbh->errstr)); }
        }
    }
    write_out();
    exit 0;
}

# A run cancelled part way (statement_timeout of 10 to 400 ms), then: this
# session, still open, must hold no advisory lock (else every later run of
# the job waits for it).
sub canceller_step {
    my ($dbh, $as_of) = @_;
    my $job = pick('cash', 'dunning', 'aging');
    my $sql = $job eq 'cash'
        ? "CALL o2c.run_cash_application(" . lit($PAY_SQL) . ", " . lit($INV_SQL) . ", " . lit($MATCH_OPTS) . ", 'soak')"
        : $job eq 'dunning' ? "CALL o2c.run_dunning(" . lit("SELECT * FROM soak.invoice") . ", 'example', $as_of, 'soak')"
        : "CALL o2c.snapshot_aging(" . lit("SELECT * FROM soak.invoice WHERE open_amount <> 0") . ", $as_of, NULL, 'soak')";
    $dbh->do("SET statement_timeout = " . (10 + int(rand(390))));
    $count{queries_jobs}++;
    $count{jobs_runs}++;
    my $ok = $dbh->do($sql);
    my $st = $dbh->state // '';
    $dbh->do("RESET statement_timeout");
    if ($ok) { $count{jobs_succeeded}++; return; }
    if (!$dbh->ping) { $count{jobs_connection_lost}++; return; }
    if ($st eq '57014') {
        $count{jobs_cancelled}++;
        $count{queries_jobs}++;
        $count{invariant_checks}++;
        my ($held) = $dbh->selectrow_array(
            "SELECT pg_catalog.count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid()");
        if ($held) {
            $count{invariant_failures}++;
            fail("a cancelled $job run left its session holding $held advisory lock(s)");
            $dbh->do("SELECT pg_catalog.pg_advisory_unlock_all()");
        }
    } elsif ($st eq '40P01') {
        $count{jobs_deadlocks}++;
    } else {
        $count{jobs_failed_other}++;
        fail("cancelled $job job failed otherwise: $st " . short($dbh->errstr));
    }
}

# New invoices and payments: most payments pay an open invoice exactly (by
# reference), some short, some over, some unrelated.
sub writer_step {
    my ($dbh, $round) = @_;
    my $n = 1 + int(rand(5));
    $count{queries_jobs}++;
    $dbh->do(qq{
        INSERT INTO soak.invoice (invoice_id, customer_id, customer_name, invoice_date, due_date, amount, open_amount, currency, reference)
        SELECT 'S-' || pg_catalog.nextval('soak.doc_seq'), c, 'Customer ' || c, d, d + 30, a, a, 'EUR', NULL
          FROM (SELECT 'K' || (1 + (pg_catalog.random() * 40)::int) AS c,
                       DATE '2026-03-01' + (pg_catalog.random() * 120)::int AS d,
                       pg_catalog.round((10 + pg_catalog.random() * 5000)::numeric, 2) AS a
                  FROM pg_catalog.generate_series(1, $n)) s})
        or note_writer_error($dbh, 'invoice');
    $count{queries_jobs}++;
    my $kind = rand();
    my $amount = $kind < 0.6 ? 'i.open_amount' : $kind < 0.75 ? 'i.open_amount - 0.5'
               : $kind < 0.9 ? 'i.open_amount + 10' : 'pg_catalog.round((pg_catalog.random() * 900)::numeric, 2) + 1';
    $dbh->do(qq{
        INSERT INTO soak.payment (payment_id, received_on, amount, currency, payer_name, reference)
        SELECT 'P-' || pg_catalog.nextval('soak.doc_seq'), i.due_date - 5, $amount, 'EUR', i.customer_name,
               CASE WHEN pg_catalog.random() < 0.8 THEN i.invoice_id END
          FROM soak.invoice i
         WHERE i.open_amount > 0
         ORDER BY pg_catalog.random() LIMIT 1 + (pg_catalog.random() * 3)::int})
        or note_writer_error($dbh, 'payment');
}

sub note_writer_error {
    my ($dbh, $what) = @_;
    my $st = $dbh->state // '';
    return if $st eq '40P01' && ++$count{writer_deadlocks};
    return if !$dbh->ping && ++$count{jobs_connection_lost};
    fail("writer ($what) failed: $st " . short($dbh->errstr));
}

# The mailer: sends what the outbox lists (a row in soak.sent per message),
# marks it sent, and posts payments whose every row is an auto match that
# has been sent (invoice open amounts go down by what was applied). Payments
# left with suggestions are closed by "a person" after a while.
sub mailer_step {
    my ($dbh) = @_;
    $count{queries_jobs}++;
    $dbh->begin_work;
    my $ok = $dbh->do(q{
        WITH todo AS (
            SELECT n.id FROM o2c.dunning_notice n
             WHERE n.ledger = 'soak' AND n.sent_at IS NULL
             ORDER BY n.id LIMIT 20 FOR UPDATE SKIP LOCKED),
        sent AS (
            UPDATE o2c.dunning_notice n SET sent_at = pg_catalog.clock_timestamp()
              FROM todo WHERE n.id = todo.id
            RETURNING n.id, n.invoice_id, n.level)
        INSERT INTO soak.sent (table_name, id, key)
        SELECT 'dunning_notice', id, invoice_id || '/' || level FROM sent})
      && $dbh->do(rand() < 0.5 ? q{
        WITH todo AS (
            SELECT m.id FROM o2c.cash_match m
             WHERE m.ledger = 'soak' AND m.status = 'auto' AND m.sent_at IS NULL
             ORDER BY m.id LIMIT 20 FOR UPDATE SKIP LOCKED),
        sent AS (
            UPDATE o2c.cash_match m SET sent_at = pg_catalog.clock_timestamp()
              FROM todo WHERE m.id = todo.id
            RETURNING m.id, m.payment_id, m.invoice_id, m.applied_amount)
        INSERT INTO soak.sent (table_name, id, key, payment_id, invoice_id, amount)
        SELECT 'cash_match', id, payment_id || '/' || coalesce(invoice_id, '-'), payment_id, invoice_id,
               applied_amount FROM sent} : q{
        -- as a plain mailer would: a batch from the outbox, newest first, no SKIP LOCKED
        WITH sent AS (
            UPDATE o2c.cash_match m SET sent_at = pg_catalog.clock_timestamp()
             WHERE m.id IN (SELECT o.id FROM o2c.outbox o WHERE o.table_name = 'cash_match'
                             ORDER BY o.id DESC LIMIT 50)
               AND m.ledger = 'soak' AND m.sent_at IS NULL
            RETURNING m.id, m.payment_id, m.invoice_id, m.applied_amount)
        INSERT INTO soak.sent (table_name, id, key, payment_id, invoice_id, amount)
        SELECT 'cash_match', id, payment_id || '/' || coalesce(invoice_id, '-'), payment_id, invoice_id,
               applied_amount FROM sent});
    if ($ok) { $dbh->commit; } else { mailer_error($dbh); return; }

    $count{queries_jobs}++;
    $dbh->begin_work;
    $ok = $dbh->do(q{
        WITH ready AS (
            SELECT p.payment_id FROM soak.payment p
             WHERE NOT p.posted
               AND EXISTS (SELECT 1 FROM o2c.cash_match m WHERE m.ledger = 'soak' AND m.payment_id = p.payment_id)
               AND NOT EXISTS (SELECT 1 FROM o2c.cash_match m
                                WHERE m.ledger = 'soak' AND m.payment_id = p.payment_id
                                  AND (m.status <> 'auto' OR m.sent_at IS NULL
                                       -- posted a little later, as a bookkeeper would: the
                                       -- jobs keep rewriting these rows meanwhile
                                       OR m.sent_at > pg_catalog.clock_timestamp() - interval '3 seconds'))
             ORDER BY p.payment_id LIMIT 20
             FOR UPDATE OF p SKIP LOCKED),
        posted AS (
            INSERT INTO soak.posting (payment_id, invoice_id, amount, match_id)
            SELECT m.payment_id, m.invoice_id, m.applied_amount, m.id
              FROM o2c.cash_match m JOIN ready r USING (payment_id)
             WHERE m.ledger = 'soak' AND m.invoice_id IS NOT NULL
            RETURNING invoice_id, amount),
        inv AS (
            UPDATE soak.invoice i SET open_amount = i.open_amount - a.applied
              FROM (SELECT invoice_id, pg_catalog.sum(amount) AS applied FROM posted GROUP BY invoice_id) a
             WHERE i.invoice_id = a.invoice_id
            RETURNING 1)
        UPDATE soak.payment p SET posted = true FROM ready r WHERE p.payment_id = r.payment_id})
      && $dbh->do(q{
        UPDATE soak.payment p SET posted = true, closed_by_hand = true
         WHERE NOT p.posted AND p.created_at < pg_catalog.clock_timestamp() - interval '15 seconds'
           AND EXISTS (SELECT 1 FROM o2c.cash_match m
                        WHERE m.ledger = 'soak' AND m.payment_id = p.payment_id AND m.status <> 'auto')});
    if ($ok) { $dbh->commit; } else { mailer_error($dbh); }
}

sub mailer_error {
    my ($dbh) = @_;
    my $st = $dbh->state // '';
    my $err = $dbh->errstr // '';
    $dbh->rollback if $dbh->ping;
    if ($st eq '40P01') { $count{mailer_deadlocks}++; return; }
    if (!$dbh->ping) { $count{jobs_connection_lost}++; return; }
    fail("mailer failed: $st " . short($err));
}

# With every runner, the writer and the mailer stopped: run the cash
# application once more, then check the money.
sub check_round {
    my ($dbh, $round) = @_;
    $count{queries_jobs}++;
    unless ($dbh->do("CALL o2c.run_cash_application(" . lit($PAY_SQL) . ", " . lit($INV_SQL) . ", " . lit($MATCH_OPTS)
                     . ", 'soak')")) {
        fail("round $round: quiet cash application failed: " . ($dbh->state // '') . ' ' . short($dbh->errstr));
        return;
    }
    my @checks = (
        # The job keeps a payment's sent applications (match_payments' option
        # applied_sql); a fresh call is given the same.
        ['stored matches of the unposted payments equal a fresh match_payments over the same inputs', qq{
            WITH fresh AS (SELECT payment_id, invoice_id, applied_amount, rule,
                                  CASE WHEN auto THEN 'auto' ELSE 'suggested' END AS status
                             FROM o2c.match_payments(${\ lit($PAY_SQL)}, ${\ lit($INV_SQL)},
                                  ${\ lit($MATCH_OPTS)}::jsonb || pg_catalog.jsonb_build_object('applied_sql',
                                  'SELECT c.payment_id, c.invoice_id, c.applied_amount AS amount FROM o2c.cash_match c
                                    WHERE c.ledger = ''soak'' AND EXISTS (SELECT 1 FROM o2c.cash_match s
                                     WHERE s.ledger = c.ledger AND s.payment_id = c.payment_id AND s.sent_at IS NOT NULL)'))
                           UNION ALL
                           SELECT m.payment_id, m.invoice_id, m.applied_amount, m.rule, m.status
                             FROM o2c.cash_match m JOIN soak.payment p USING (payment_id)
                            WHERE m.ledger = 'soak' AND NOT p.posted
                              AND EXISTS (SELECT 1 FROM o2c.cash_match s WHERE s.ledger = m.ledger
                                             AND s.payment_id = m.payment_id AND s.sent_at IS NOT NULL)),
                 stored AS (SELECT m.payment_id, m.invoice_id, m.applied_amount, m.rule, m.status
                              FROM o2c.cash_match m JOIN soak.payment p USING (payment_id)
                             WHERE m.ledger = 'soak' AND NOT p.posted)
            SELECT pg_catalog.count(*) FROM ((TABLE fresh EXCEPT ALL TABLE stored)
                                             UNION ALL (TABLE stored EXCEPT ALL TABLE fresh)) d}],
        ['the rows of each unposted payment add up to its amount', q{
            SELECT pg_catalog.count(*) FROM soak.payment p
             WHERE NOT p.posted
               AND p.amount <> (SELECT coalesce(pg_catalog.sum(m.applied_amount), 0) FROM o2c.cash_match m
                                 WHERE m.ledger = 'soak' AND m.payment_id = p.payment_id)}],
        ['no open invoice is applied more than its open amount', q{
            SELECT pg_catalog.count(*) FROM soak.invoice i
             WHERE i.open_amount < (SELECT pg_catalog.sum(m.applied_amount) FROM o2c.cash_match m
                                     JOIN soak.payment p USING (payment_id)
                                    WHERE m.ledger = 'soak' AND m.invoice_id = i.invoice_id AND NOT p.posted)}],
        ['no invoice has more posted to it than its amount', q{
            SELECT pg_catalog.count(*) FROM soak.invoice i
             WHERE i.open_amount < 0 OR i.amount < (SELECT pg_catalog.sum(s.amount) FROM soak.posting s
                                                     WHERE s.invoice_id = i.invoice_id)}],
        ['no payment has more posted than its amount', q{
            SELECT pg_catalog.count(*) FROM soak.payment p
             WHERE p.amount < (SELECT pg_catalog.sum(s.amount) FROM soak.posting s WHERE s.payment_id = p.payment_id)}],
        ['no payment is posted twice', q{
            SELECT pg_catalog.count(*) FROM (SELECT payment_id FROM soak.posting
                                             GROUP BY payment_id, invoice_id HAVING pg_catalog.count(*) > 1) d}],
        ['no message is sent twice (same row, or same invoice and dunning level, or same payment and invoice)', q{
            SELECT pg_catalog.count(*) FROM (SELECT 1 FROM soak.sent GROUP BY table_name, key HAVING pg_catalog.count(*) > 1
                                             UNION ALL
                                             SELECT 1 FROM soak.sent GROUP BY table_name, id HAVING pg_catalog.count(*) > 1) d}],
        ['a sent cash match is never withdrawn or changed', q{
            SELECT pg_catalog.count(*) FROM soak.sent s
             WHERE s.table_name = 'cash_match'
               AND NOT EXISTS (SELECT 1 FROM o2c.cash_match m
                                WHERE m.id = s.id AND m.sent_at IS NOT NULL
                                  AND m.applied_amount = s.amount
                                  AND m.invoice_id IS NOT DISTINCT FROM s.invoice_id)}],
        ['each invoice and dunning level is noticed once', q{
            SELECT pg_catalog.count(*) FROM (SELECT 1 FROM o2c.dunning_notice WHERE ledger = 'soak'
                                             GROUP BY invoice_id, level HAVING pg_catalog.count(*) > 1) d}],
        ['no job run is left running', q{
            SELECT pg_catalog.count(*) FROM o2c.job_run r
             WHERE r.status = 'running' AND 'soak' IN (r.args->>'ledger', r.args->>'source')}],
    );
    for my $c (@checks) {
        $count{queries_jobs}++;
        $count{invariant_checks}++;
        my ($bad) = $dbh->selectrow_array($c->[1]);
        if (!defined $bad) {
            fail("round $round: check could not run ($c->[0]): " . ($dbh->state // '') . ' ' . short($dbh->errstr));
        } elsif ($bad > 0) {
            $count{invariant_failures}++;
            fail("round $round: $c->[0]: $bad violations");
        }
    }
}

# ---------------------------------------------------------------------------
# sqlsmith's errors

sub sqlsmith_report {
    my $logdb = $ENV{O2C_SOAK_LOGDB} or die "O2C_SOAK_LOGDB not set\n";
    my $smith = $ENV{O2C_SOAK_SMITH} or die "O2C_SOAK_SMITH not set\n";
    my $src = $ENV{O2C_SOAK_SOURCES} // '';
    my %o2c_file = map { $_ => 1 } split ' ', $src;
    my $log = DBI->connect("dbi:Pg:dbname=$logdb", undef, undef, { AutoCommit => 1, RaiseError => 1, PrintError => 0 });
    for my $r (@{ $log->selectall_arrayref("SELECT coalesce(sqlstate, ''), pg_catalog.count(*) FROM error GROUP BY 1") }) {
        $count{"sqlsmith_sqlstate_$r->[0]"} = $r->[1] if $r->[0] =~ /^(XX|08|57|58)/;
        $count{sqlsmith_errors} += $r->[1];
    }
    my $xx = $log->selectall_arrayref(
        "SELECT query, pg_catalog.min(msg), pg_catalog.count(*) FROM error WHERE sqlstate = 'XX000' GROUP BY query LIMIT 200");
    return unless @$xx;
    my $db = DBI->connect("dbi:Pg:user=$smith", undef, undef,
        { AutoCommit => 1, RaiseError => 0, PrintError => 0, pg_errorlevel => 2, pg_placeholder_dollaronly => 1 });
    # What runs o2c code besides o2c's own source and context: writes to a
    # table with an o2c trigger (unless the error is PostgreSQL's parser's, or
    # a PostgreSQL function the query calls itself refusing its argument).
    my $o2c_tables = $db->selectcol_arrayref(q{
        SELECT DISTINCT c.relname FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_trigger t ON t.tgrelid = c.oid
          JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
         WHERE p.pronamespace = 'o2c'::pg_catalog.regnamespace
           AND c.relnamespace <> 'o2c'::pg_catalog.regnamespace});
    for my $x (@$xx) {
        my ($query, $msg, $n) = @$x;
        $db->begin_work;
        $db->do("SET LOCAL statement_timeout = '5s'");
        my $okrun = $db->do($query);    # no placeholders: the query as sqlsmith sent it
        my $err = $db->errstr // '';
        my $st = $db->state // '';
        $db->rollback if $db->ping;
        $db = DBI->connect("dbi:Pg:user=$smith", undef, undef,
            { AutoCommit => 1, RaiseError => 0, PrintError => 0, pg_errorlevel => 2, pg_placeholder_dollaronly => 1 })
            unless $db->ping;
        my ($file) = $err =~ /LOCATION:\s+\S+,\s+([\w.]+):\d+/;
        my ($context) = $err =~ /CONTEXT:\s+(.*)/;
        # o2c's functions raise from o2c's source or with an o2c context, so an
        # XX000 located in PostgreSQL's source counts against o2c only when the
        # query writes to a table with an o2c trigger (a C trigger adds no
        # context line); the targeted calls try every o2c function directly.
        my $calls_o2c = 0;
        for my $t (@$o2c_tables) {
            $calls_o2c = 1 if $query =~ /\b(insert\s+into|update|merge\s+into)\s+(\w+\.)?"?\Q$t\E\b/i;
        }
        my $where = $okrun ? 'not reproduced' : $st ne 'XX000' ? 'the re-run gave ' . ($st || 'no SQLSTATE')
                  : 'location ' . ($file // '?');
        # An error of PostgreSQL's parser with no o2c context is in the
        # top-level query itself (o2c's inner queries carry a context line).
        my $parser = $file && $file =~ /^(parse_\w+|analyze|gram)\.[cy]$/ && !($context && $context =~ /o2c/);
        # A PostgreSQL function that the query calls itself and that refuses
        # its argument by name ("float8_accum: expected 3-element float8
        # array"), outside o2c's source and context, is PostgreSQL's.
        my ($fn) = $msg =~ /^(?:ERROR:\s+)?(\w+): /;
        my $direct = $fn && $query =~ /\b\Q$fn\E\s*\(/ && !($context && $context =~ /o2c/);
        if (($file && $o2c_file{$file}) || ($context && $context =~ /o2c/) || ($calls_o2c && !$parser && !$direct)) {
            $count{sqlsmith_internal_errors_o2c} += $n;
            fail("sqlsmith XX000 in o2c ($where): " . short($msg) . " -- query: " . short($query));
        } else {
            $count{sqlsmith_internal_errors_elsewhere} += $n;
            push @notes, "sqlsmith XX000 outside o2c ($where, not counted as a failure): " . short($msg)
                          . " -- query: " . short($query);
        }
    }
}
