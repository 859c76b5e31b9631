#!/usr/bin/env bash
# bench/bank.sh — bank statement parsing against COPY of the same lines.
#
# Generates an MT940 file and a camt.053 file of O2C_BENCH_BANK_MB megabytes
# each (default 100), then times, on the same server in the same run:
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
# MT940: statements of 100 credit lines with a structured :86:
awk -v limit="$bytes" 'BEGIN {
    size = 0; s = 0; k = 0; bal = 1000000;
    while (size < limit) {
        s++;
        out = sprintf(":20:BENCH%07d\n:25:NL91ABNA0417164300\n:28C:%d/1\n:60F:C250301EUR%d,%02d\n", s, s, bal / 100, bal % 100);
        for (i = 0; i < 100; i++) {
            k++; amt = 1000 + (k * 7919) % 500000;
            bal += amt;
            out = out sprintf(":61:2503010301C%d,%02dNTRFINV-%08d//B%d\n:86:/NAME/Customer %d B.V./IBAN/NL20INGB%010d/REMI/Invoice INV-%08d/\n",
                              amt / 100, amt % 100, k, k, k % 5000, k % 5000, k);
        }
        out = out sprintf(":62F:C250301EUR%d,%02d\n-\n", bal / 100, bal % 100);
        printf "%s", out; size += length(out);
    }
}' > "$dir/bench.sta"

# camt.053.001.02: statements of 100 entries, each with one TxDtls
awk -v limit="$bytes" 'BEGIN {
    printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>\n";
    size = 0; s = 0; k = 0; bal = 1000000;
    while (size < limit) {
        s++;
        out = sprintf("<Stmt><Id>BENCH%07d</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>\n<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>\n", s, bal / 100, bal % 100);
        body = "";
        for (i = 0; i < 100; i++) {
            k++; amt = 1000 + (k * 7919) % 500000;
            bal += amt;
            body = body sprintf("<Ntry><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-01</Dt></BookgDt><ValDt><Dt>2025-03-01</Dt></ValDt><AcctSvcrRef>B%d</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>INV-%08d</EndToEndId></Refs><RltdPties><Dbtr><Nm>Customer %d B.V.</Nm></Dbtr><DbtrAcct><Id><IBAN>NL20INGB%010d</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>Invoice INV-%08d</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n",
                                amt / 100, amt % 100, k, k, k % 5000, k % 5000, k);
        }
        out = out sprintf("<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>\n", bal / 100, bal % 100) body "</Stmt>\n";
        printf "%s", out; size += length(out);
    }
    printf "</BkToCstmrStmt></Document>\n";
}' > "$dir/bench.camt053"

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
chmod 644 "$dir"/bench.*
chmod 777 "$dir"
run mt940 "$dir/bench.sta" 3 "MT940"
run camt053 "$dir/bench.camt053" 6 "camt.053"
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
