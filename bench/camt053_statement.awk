# bench/camt053_statement.awk — one camt.053.001.02 statement of about
# `limit` bytes (awk -v limit=BYTES), every entry with one TxDtls, balanced
# (opening + entries = closing) and with a matching TxsSummry, so that it
# passes strict mode. Used by bench/bank.sh for the memory measurement.
function entry(k,    amt) {
    amt = 1000 + (k * 7919) % 500000
    return sprintf("<Ntry><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-01</Dt></BookgDt><ValDt><Dt>2025-03-01</Dt></ValDt><AcctSvcrRef>B%d</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>INV-%08d</EndToEndId></Refs><RltdPties><Dbtr><Nm>Customer %d B.V.</Nm></Dbtr><DbtrAcct><Id><IBAN>NL20INGB%010d</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>Invoice INV-%08d</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n",
                   amt / 100, amt % 100, k, k, k % 5000, k % 5000, k)
}
BEGIN {
    # first pass: how many entries fit, and what they add up to
    size = 600; n = 0; sum = 0
    while (size < limit) {
        n++; sum += 1000 + (n * 7919) % 500000; size += length(entry(n))
    }
    open = 1000000
    printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>\n"
    printf "<GrpHdr><MsgId>MEM</MsgId><CreDtTm>2025-03-02T06:00:00</CreDtTm></GrpHdr>\n"
    printf "<Stmt><Id>MEM0000001</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
    printf "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>\n", open / 100, open % 100
    printf "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>\n", (open + sum) / 100, (open + sum) % 100
    printf "<TxsSummry><TtlNtries><NbOfNtries>%d</NbOfNtries><Sum>%d.%02d</Sum></TtlNtries><TtlCdtNtries><NbOfNtries>%d</NbOfNtries><Sum>%d.%02d</Sum></TtlCdtNtries></TxsSummry>\n", n, sum / 100, sum % 100, n, sum / 100, sum % 100
    for (k = 1; k <= n; k++)
        printf "%s", entry(k)
    printf "</Stmt></BkToCstmrStmt></Document>\n"
}
