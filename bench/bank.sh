#!/usr/bin/env bash
# bench/bank.sh — bank statement parsing against COPY of the same lines.
#
# Generates a file of O2C_BENCH_BANK_MB megabytes (default 100) of each
# format and version: MT940, MT942, camt.053.001.02 and .001.13, camt.052,
# camt.054 (001.08) and BAI2, then times, on the same server in the same run:
#   parse:    INSERT INTO t SELECT * FROM o2c.parse_*(pg_read_file(file))
#   baseline: COPY t FROM csv     (the same lines, same columns, as CSV)
# Both read a file and load a table of the same 20 columns, so the ratio is
# what parsing costs over the floor a user already has.
#
# Memory: one camt.053 statement of O2C_BENCH_BANK_MB megabytes
# (bench/camt053_statement.awk) is parsed in a fresh backend with the
# default work_mem of 4MB; the peak resident memory the backend gained
# (VmHWM of /proc/<pid>/status, read before and after) is set against the
# input's size. The input text itself (pg_read_file) counts in the peak.
# O2C_BENCH_BANK_MEMORY_ONLY=1 runs only this measurement.
set -euo pipefail
. "$O2C_ROOT/bench/lib.sh"

MB=${O2C_BENCH_BANK_MB:-100}
export O2C_BENCH_RUNS=${O2C_BENCH_RUNS:-3}
dir=$(mktemp -d /tmp/o2c-bench-bank.XXXXXX)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
bytes=$((MB * 1024 * 1024))

if [ "${O2C_BENCH_BANK_MEMORY_ONLY:-0}" != 1 ]; then
# MT940 (and MT942 with mt942=1): statements of 100 credit lines with a
# structured :86:; an MT942 has no balances but its :34F:, :13D: and :90C:
gen_mt940() {
awk -v limit="$bytes" -v mt942="$1" 'BEGIN {
    size = 0; s = 0; k = 0; bal = 1000000;
    while (size < limit) {
        s++;
        if (mt942)
            out = sprintf(":20:BENCH%07d\n:25:NL91ABNA0417164300\n:28C:%d/1\n:34F:EUR0,00\n:13D:2503011200+0100\n", s, s);
        else
            out = sprintf(":20:BENCH%07d\n:25:NL91ABNA0417164300\n:28C:%d/1\n:60F:C250301EUR%d,%02d\n", s, s, bal / 100, bal % 100);
        sum = 0;
        for (i = 0; i < 100; i++) {
            k++; amt = 1000 + (k * 7919) % 500000;
            bal += amt; sum += amt;
            out = out sprintf(":61:2503010301C%d,%02dNTRFINV-%08d//B%d\n:86:/NAME/Customer %d B.V./IBAN/NL20INGB%010d/REMI/Invoice INV-%08d/\n",
                              amt / 100, amt % 100, k, k, k % 5000, k % 5000, k);
        }
        if (mt942)
            out = out sprintf(":90C:100EUR%d,%02d\n-\n", sum / 100, sum % 100);
        else
            out = out sprintf(":62F:C250301EUR%d,%02d\n-\n", bal / 100, bal % 100);
        printf "%s", out; size += length(out);
    }
}'
}

# camt (kind 052, 053 or 054, version vv): statements of 100 entries, each
# with one TxDtls; 052 and 053 with opening and closing balances
gen_camt() {
awk -v limit="$bytes" -v kind="$1" -v ver="$2" 'BEGIN {
    msg = kind == "053" ? "BkToCstmrStmt" : kind == "052" ? "BkToCstmrAcctRpt" : "BkToCstmrDbtCdtNtfctn";
    st = kind == "053" ? "Stmt" : kind == "052" ? "Rpt" : "Ntfctn";
    sts = ver + 0 >= 9 ? "<Sts><Cd>BOOK</Cd></Sts>" : "<Sts>BOOK</Sts>";
    printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.%s.001.%s\"><%s>\n", kind, ver, msg;
    size = 0; s = 0; k = 0; bal = 1000000;
    while (size < limit) {
        s++;
        out = sprintf("<%s><Id>BENCH%07d</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>\n", st, s);
        if (kind != "054")
            out = out sprintf("<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>\n", bal / 100, bal % 100);
        body = "";
        for (i = 0; i < 100; i++) {
            k++; amt = 1000 + (k * 7919) % 500000;
            bal += amt;
            body = body sprintf("<Ntry><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd>%s<BookgDt><Dt>2025-03-01</Dt></BookgDt><ValDt><Dt>2025-03-01</Dt></ValDt><AcctSvcrRef>B%d</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>INV-%08d</EndToEndId></Refs><RltdPties><Dbtr><Nm>Customer %d B.V.</Nm></Dbtr><DbtrAcct><Id><IBAN>NL20INGB%010d</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>Invoice INV-%08d</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n",
                                amt / 100, amt % 100, sts, k, k, k % 5000, k % 5000, k);
        }
        if (kind != "054")
            out = out sprintf("<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>\n", bal / 100, bal % 100);
        out = out body sprintf("</%s>\n", st);
        printf "%s", out; size += length(out);
    }
    printf "</%s></Document>\n", msg;
}'
}

# BAI2: one file, accounts of 100 detail records (16 with text, 88 text)
gen_bai2() {
awk -v limit="$bytes" 'BEGIN {
    printf "01,121000248,BENCH,250301,0600,1,,,2/\n02,BENCH,121000248,1,250301,0600,USD,2/\n";
    size = 0; s = 0; k = 0; gtotal = 0; grecs = 1; accts = 0;
    while (size < limit) {
        s++; accts++;
        out = sprintf("03,%010d,USD,010,100000,,,015,", s);
        total = 100000; sum = 0; body = ""; recs = 0;
        for (i = 0; i < 100; i++) {
            k++; amt = 1000 + (k * 7919) % 500000;
            sum += amt;
            body = body sprintf("16,195,%d,0,B%d,INV-%08d,PAYMENT FROM CUSTOMER %d INC, INVOICE %08d/\n88,REMITTANCE INV-%08d\n", amt, k, k, k % 5000, k, k);
            recs += 2;
        }
        clos = 100000 + sum;
        out = out sprintf("%d,,/\n", clos) body;
        total += clos + sum;
        recs += 2;
        out = out sprintf("49,%.0f,%d/\n", total, recs);
        gtotal += total; grecs += recs;
        printf "%s", out; size += length(out);
    }
    printf "98,%.0f,%d,%d/\n99,%.0f,1,%d/\n", gtotal, accts, grecs + 1, gtotal, grecs + 3;
}'
}

gen_mt940 0 > "$dir/bench.sta"
gen_mt940 1 > "$dir/bench942.sta"
gen_camt 053 02 > "$dir/bench053v02.camt"
gen_camt 053 13 > "$dir/bench053v13.camt"
gen_camt 052 08 > "$dir/bench052v08.camt"
gen_camt 054 08 > "$dir/bench054v08.camt"
gen_bai2 > "$dir/bench.bai2"

cols="statement_id text, account text, currency text, line_no integer, booking_date date,
      value_date date, amount numeric, credit boolean, counterparty_name text,
      counterparty_account text, reference text, remittance text, bank_reference text,
      type_code text, opening_balance numeric, closing_balance numeric, message text,
      instructed_amount numeric, instructed_currency text, exchange_rate numeric"
bench_psql -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS o2c" \
    -c "DROP TABLE IF EXISTS bank_parsed, bank_copied" \
    -c "CREATE UNLOGGED TABLE bank_parsed ($cols)" -c "CREATE UNLOGGED TABLE bank_copied ($cols)"

run() {
    local fmt=$1 file=$2 limit=$3 label=$4 lines parse copy ratio mbytes
    mbytes=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1048576 }')
    bench_psql -c "COPY (SELECT * FROM o2c.parse_$fmt(pg_read_file('$file'))) TO '$file.csv' (FORMAT csv)"
    lines=$(bench_psql -At -c "SELECT count(*) FROM o2c.parse_$fmt(pg_read_file('$file'))")
    parse=$(bench_median "INSERT INTO bank_parsed SELECT * FROM o2c.parse_$fmt(pg_read_file('$file'))" "TRUNCATE bank_parsed;")
    copy=$(bench_median "COPY bank_copied FROM '$file.csv' (FORMAT csv)" "TRUNCATE bank_copied;")
    ratio=$(bench_ratio "$parse" "$copy")
    printf '%s: %s MB, %s lines\n' "$label" "$mbytes" "$lines"
    printf '  parse_%-8s + insert  %10.1f ms  %12.0f lines/s\n' "$fmt" "$parse" "$(awk -v n="$lines" -v t="$parse" 'BEGIN { print n / (t / 1000) }')"
    printf '  COPY from CSV          %10.1f ms  %12.0f lines/s\n' "$copy" "$(awk -v n="$lines" -v t="$copy" 'BEGIN { print n / (t / 1000) }')"
    printf '  ratio parse / COPY     %10s\n' "$ratio"
    bench_check "$label parse + insert vs COPY of the same lines" "$ratio" "$limit"
    bench_psql -c "TRUNCATE bank_parsed, bank_copied"
}

# pg_read_file needs the server to read our files: they are world-readable.
chmod 644 "$dir"/bench*
chmod 777 "$dir"
run mt940 "$dir/bench.sta" 3 "MT940"
run mt940 "$dir/bench942.sta" 3 "MT942"
run camt "$dir/bench053v02.camt" 6 "camt.053.001.02"
run camt "$dir/bench053v13.camt" 6 "camt.053.001.13"
run camt "$dir/bench052v08.camt" 6 "camt.052.001.08"
run camt "$dir/bench054v08.camt" 6 "camt.054.001.08"
run bai2 "$dir/bench.bai2" 3 "BAI2"
bench_psql -c "DROP TABLE bank_parsed, bank_copied"
fi

# Peak memory of one camt.053 statement, in a fresh backend.
awk -v limit="$bytes" -f "$O2C_ROOT/bench/camt053_statement.awk" > "$dir/one.camt053"
chmod 644 "$dir/one.camt053"
hwm="(pg_catalog.regexp_match(pg_catalog.pg_read_file('/proc/' || pg_catalog.pg_backend_pid() || '/status'), 'VmHWM:\s+(\d+) kB'))[1]::bigint"
read -r before lines after < <(bench_psql -At -F ' ' \
    -c "SET work_mem = '4MB'" \
    -c "SELECT $hwm" \
    -c "SELECT count(*) FROM o2c.parse_camt053(pg_catalog.pg_read_file('$dir/one.camt053'))" \
    -c "SELECT $hwm" | paste -sd ' ')
insize=$(stat -c %s "$dir/one.camt053")
awk -v b="$insize" -v l="$lines" -v p0="$before" -v p1="$after" 'BEGIN {
    peak = (p1 - p0) * 1024
    printf "camt.053, one statement: %.1f MB, %d lines\n", b / 1048576, l
    printf "  peak backend memory    %10.1f MB   (VmHWM %.1f -> %.1f MB)\n", peak / 1048576, p0 / 1024, p1 / 1024
    printf "  ratio peak / input     %10.2f\n", peak / b
}'
bench_check "camt.053 peak memory / input size" \
    "$(awk -v b="$insize" -v p0="$before" -v p1="$after" 'BEGIN { printf "%.2f", (p1 - p0) * 1024 / b }')" 3
