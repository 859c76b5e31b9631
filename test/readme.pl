#!/usr/bin/perl
# Runs every ```sql block of README.md, statement by statement and in order,
# in one session on a database that test/fixtures/readme.sql prepared, so an
# example that no longer runs as written fails the test suite.
#
#   readme.pl README.md DBNAME [CRON_DBNAME]
#
# What each statement must do is read from the comments beside it:
#   - "-- ERROR" on its line or on the comment lines right after it: it must
#     fail; "ERROR 22023" names the SQLSTATE, and a message after "ERROR:"
#     (psql's layout) or "ERROR 22023:" must be the error's message;
#   - any other comment on its line, for a query returning one row: when the
#     comment starts with a value (a number, a date, true/false/NULL, an
#     array, or the first word of the result), the result, columns joined by
#     " | ", must be what the comment starts with; prose is not checked;
#   - otherwise it must succeed.
# Statements that call pg_cron (cron.*) run in CRON_DBNAME, where pg_cron
# lives, with the database argument 'finance' (README's name for the user's
# database) read as DBNAME, and the jobs they schedule are removed again;
# without CRON_DBNAME they are skipped and counted as such.
# Last line: "N passed, N failed".
use strict;
use warnings;
use DBI;

my ($readme, $dbname, $crondb) = @ARGV;
die "usage: $0 README.md DBNAME [CRON_DBNAME]\n" unless $readme && $dbname;

sub connect_db {
    my ($name) = @_;
    my $dbh = DBI->connect("dbi:Pg:dbname=$name", '', '',
        { RaiseError => 0, PrintError => 0, PrintWarn => 0, AutoCommit => 1,
          pg_bool_tf => 1, pg_expand_array => 0, pg_server_prepare => 0 })
        or die "cannot connect to $name: $DBI::errstr\n";
    $dbh->do('SET client_min_messages = warning');
    return $dbh;
}

# The statements of README's sql blocks: text, README line, trailing comment
# (same line) and the comment lines that follow it.
sub statements {
    open(my $fh, '<', $readme) or die "$readme: $!\n";
    my @lines = <$fh>;
    close $fh;
    my (@out, $in, $buf, $start);
    for (my $i = 0; $i < @lines; $i++) {
        my $l = $lines[$i];
        chomp $l;
        if (!$in) {
            ($in, $buf, $start) = (1, '', undef) if $l =~ /^```sql\s*$/;
            next;
        }
        if ($l =~ /^```\s*$/) { $in = 0; next; }
        my $pos = 0;
        while ($pos < length $l) {
            my $rest = substr($l, $pos);
            last if !in_quote($buf) && $rest =~ /^--/;    # a comment: not SQL
            my $c = substr($l, $pos++, 1);
            next if $buf eq '' && $c =~ /\s/;
            $start //= $i + 1;
            $buf .= $c;
            next unless $c eq ';' && !in_quote($buf);
            my ($comment) = substr($l, $pos) =~ /^\s*--\s?(.*?)\s*$/;
            my @follow;
            for (my $j = $i + 1; $j < @lines && $lines[$j] =~ /^\s*--\s?(.*?)\s*$/; $j++) {
                push @follow, $1;
            }
            my @data;
            if ($buf =~ /^\s*COPY\b.*\bFROM\s+STDIN\b/is) {
                # psql's layout: the rows follow, up to a line "\."
                for ($i++; $i < @lines && $lines[$i] !~ /^\\\.\s*$/; $i++) {
                    push @data, $lines[$i];
                }
                $pos = length $l;
            }
            push @out, { sql => $buf, line => $start, comment => $comment, follow => \@follow,
                         data => \@data };
            ($buf, $start) = ('', undef);
        }
        $buf .= "\n" if $buf ne '';
    }
    return @out;
}

# Is the end of this text inside a string, a quoted identifier or a dollar
# quote? (README's examples use no block comments.)
sub in_quote {
    my ($s) = @_;
    my ($q, $tag) = ('', '');
    while ($s =~ /\G(?:([^'"\$]+)|(')|(")|(\$[A-Za-z_]*\$)|(\$))/gc) {
        if ($q eq '') {
            if (defined $2) { $q = "'" }
            elsif (defined $3) { $q = '"' }
            elsif (defined $4) { $q = '$'; $tag = $4 }
        } elsif ($q eq "'" && defined $2) { $q = '' }
        elsif ($q eq '"' && defined $3) { $q = '' }
        elsif ($q eq '$' && defined $4 && $4 eq $tag) { $q = '' }
    }
    return $q ne '';
}

sub is_number { return $_[0] =~ /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/ }

sub one_line { my ($s) = @_; $s =~ s/\s+/ /g; $s =~ s/^ | $//g; return length($s) > 70 ? substr($s, 0, 67) . '...' : $s }

my $dbh = connect_db($dbname);
my $cron = $crondb ? connect_db($crondb) : undef;
my ($passed, $failed, $skipped) = (0, 0, 0);

for my $st (statements()) {
    my $sql = $st->{sql};
    my $where = "README.md:$st->{line}: " . one_line($sql);
    my @notes = grep { defined } ($st->{comment}, @{ $st->{follow} });
    my ($want_err) = grep { /^ERROR\b/ } @notes;
    my $h = $dbh;
    my @scheduled;
    if ($sql =~ /\bcron\./) {
        unless ($cron) { $skipped++; print "skip $where (no pg_cron)\n"; next; }
        $h = $cron;
        $sql =~ s/'finance'/'$dbname'/g;
    }
    my $sth = $h->prepare($sql);
    my $ok = $sth && $sth->execute;
    if ($ok && @{ $st->{data} }) {
        $h->pg_putcopydata($_) for @{ $st->{data} };
        $ok = $h->pg_putcopyend;
    }
    my ($state, $msg) = ($h->state, $h->errstr);
    if ($want_err) {
        my ($code, $text) = $want_err =~ /^ERROR(?: ([0-9A-Z]{5}))?:?\s*(.*)$/;
        my $got = $msg // '';
        $got =~ s/^ERROR:\s*//;
        $got =~ s/\n.*//s;
        if ($ok) { $failed++; print "FAIL $where: ran, but README says $want_err\n"; }
        elsif ($code && $state ne $code) { $failed++; print "FAIL $where: SQLSTATE $state, README says $code ($got)\n"; }
        elsif ($text ne '' && $got ne $text) { $failed++; print "FAIL $where:\n  error:  $got\n  README: $text\n"; }
        else { $passed++; }
        next;
    }
    if (!$ok) {
        $failed++;
        my $m = $msg // 'failed'; $m =~ s/\n.*//s;
        print "FAIL $where: $state $m\n";
        next;
    }
    if ($sql =~ /\bcron\.schedule/ && $sth->{NUM_OF_FIELDS}) {
        while (my @r = $sth->fetchrow_array) { push @scheduled, $r[0] if defined $r[0] }
        $cron->do('SELECT cron.unschedule(j) FROM pg_catalog.unnest(?::bigint[]) j', undef, '{' . join(',', @scheduled) . '}');
        # The job's command must run too, as pg_cron would run it.
        my ($command) = $sql =~ /\$\$(.*?)\$\$/s;
        if (defined $command && !$dbh->do($command)) {
            my $m = $dbh->errstr; $m =~ s/\n.*//s;
            $failed++;
            print "FAIL $where: the scheduled command fails: ", $dbh->state, " $m\n";
            next;
        }
        $passed++;
        next;
    }
    my $c = $st->{comment};
    if (defined $c && $sth->{NUM_OF_FIELDS}) {
        my $rows = $sth->fetchall_arrayref;
        if (@$rows == 1) {
            my $got = join(' | ', map { !defined $_ ? 'NULL' : $_ eq 't' ? 'true' : $_ eq 'f' ? 'false' : $_ } @{ $rows->[0] });
            my ($first) = $got =~ /^(\S+)/;
            $first //= '';
            my $valuelike = $c =~ /^(?:true|false|NULL|-?\d|\{)/ || ($first ne '' && $c =~ /^\Q$first\E(?:\s|$|[:;,|(])/);
            if ($got ne '' && $valuelike) {
                my ($cv) = $c =~ /^(\S+?)[:;,]?(?:\s|$)/;
                if ($c =~ /^\Q$got\E(?:\s|$|[:;,(])/) { $passed++; }
                elsif (is_number($got) && defined $cv && is_number($cv)
                       && abs($got - $cv) <= 1e-12 * (1 + abs($cv))) { $passed++; }   # float8 read as a Perl number
                else { $failed++; print "FAIL $where:\n  result: $got\n  README: $c\n"; }
                next;
            }
        }
    }
    $passed++;
}
print "README examples: $passed statements ran as documented, $failed did not, $skipped skipped\n";
print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
