# PostgreSQL versions other than Debian 12's own 15, built from Debian's
# source packages; sourced by scripts/lib.sh. Needs O2C_ROOT.
#
# o2c_pg_bindir VERSION prints the bin directory of that server: Debian's
# package for 15, otherwise a build cached under O2C_PG_CACHE (default
# /var/cache/o2c, outside the clone, so a machine builds each version once,
# about five minutes on two cores). The build takes the upstream tarball of
# the source package from the newest Debian distribution that has it (17
# from trixie, 18 from sid; 16 is in none of them), with pgTAP and pg_cron
# from their own source packages. apt reads a source list of its own under
# the cache, naming the archive the machine's apt sources already use, so
# the machine's package lists are left as they were.

O2C_PG_CACHE=${O2C_PG_CACHE:-/var/cache/o2c}
O2C_PG_BUILD_PACKAGES=(make gcc bison flex perl libxml2-dev zlib1g-dev pkg-config)

# apt with the cache's own configuration (source list, lists, archives).
o2c_src_apt() {
    APT_CONFIG="$O2C_PG_CACHE/apt/apt.conf" "$@"
}

o2c_src_apt_setup() {
    local uri dir=$O2C_PG_CACHE/apt
    [ -f "$dir/apt.conf" ] && [ -n "$(ls "$dir/lists" 2>/dev/null | grep -v partial)" ] && return
    uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
    [ -n "$uri" ] || { echo "no Debian archive in the machine's apt sources" >&2; return 1; }
    o2c_as_root mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
    printf 'deb-src %s %s main\n' "$uri" sid "$uri" trixie "$uri" bookworm |
        o2c_as_root tee "$dir/sources.list" >/dev/null
    {
        echo "Dir::Etc::SourceList \"$dir/sources.list\";"
        echo 'Dir::Etc::SourceParts "/dev/null";'
        echo "Dir::State::Lists \"$dir/lists\";"
        echo "Dir::Cache \"$dir/cache\";"
        echo 'APT::Sandbox::User "root";'
    } | o2c_as_root tee "$dir/apt.conf" >/dev/null
    o2c_as_root env APT_CONFIG="$dir/apt.conf" apt-get -qq update
}

# Download the upstream tarball of a source package into DIR: the newest
# version the lists name whose tarball the archive serves (a list can name
# files its pool no longer has; the Debian packaging itself is not needed).
o2c_src_get() {
    local pkg=$1 dir=$2 ver up
    o2c_as_root mkdir -p "$dir"
    for ver in $(o2c_src_apt apt-cache showsrc "$pkg" 2>/dev/null |
                 awk '/^Version:/ { print $2 }' | sort -rV | uniq); do
        up=${ver#*:}
        up=${up%-*}
        (cd "$dir" && o2c_as_root env APT_CONFIG="$O2C_PG_CACHE/apt/apt.conf" \
            apt-get source --download-only -qq "$pkg=$ver" >/dev/null 2>&1) || true
        if ls "$dir/${pkg}_$up".orig.tar.* >/dev/null 2>&1; then
            return 0
        fi
    done
    echo "no source of $pkg could be downloaded from Debian's archive" >&2
    return 1
}

o2c_pg_build() {
    local v=$1 prefix=$O2C_PG_CACHE/pg$1 src=$O2C_PG_CACHE/src/pg$1 tarball dir
    o2c_log "building PostgreSQL $v from Debian's source package (once, into $prefix)"
    o2c_install_packages "${O2C_PG_BUILD_PACKAGES[@]}"
    o2c_src_apt_setup
    o2c_as_root rm -rf "$src" "$prefix"
    o2c_src_get "postgresql-$v" "$src" || return 1
    tarball=$(ls "$src"/postgresql-"$v"_*.orig.tar.* 2>/dev/null | head -n 1)
    [ -n "$tarball" ] || { echo "no source of postgresql-$v in Debian's archive" >&2; return 1; }
    o2c_as_root tar -xf "$tarball" -C "$src"
    dir=$(ls -d "$src"/postgresql-"$v".*/ | head -n 1)
    (
        cd "$dir" &&
        o2c_as_root ./configure --prefix="$prefix" --without-icu --with-libxml \
            --without-readline >"$src/configure.log" 2>&1 &&
        o2c_as_root make -s -j"$(nproc)" >"$src/make.log" 2>&1 &&
        o2c_as_root make -s install >>"$src/make.log" 2>&1 &&
        o2c_as_root make -s -C contrib -j"$(nproc)" >>"$src/make.log" 2>&1 &&
        o2c_as_root make -s -C contrib install >>"$src/make.log" 2>&1
    ) || { tail -n 30 "$src/configure.log" "$src/make.log" >&2; return 1; }
    o2c_pg_build_extensions "$v" && o2c_as_root touch "$prefix/.o2c-complete"
}

# pgTAP and, when its source can be had, pg_cron for the server built above:
# their own source packages, built with PGXS. Without pg_cron the cluster
# starts without it and the pg_cron test reports itself skipped.
o2c_pg_build_extensions() {
    local v=$1 prefix=$O2C_PG_CACHE/pg$1 src=$O2C_PG_CACHE/src/pg$1 ext edir tarball
    o2c_src_apt_setup
    for ext in pgtap pg-cron; do
        o2c_as_root rm -rf "$src/$ext"
        if ! o2c_src_get "$ext" "$src/$ext"; then
            [ "$ext" = pg-cron ] && continue
            return 1
        fi
        tarball=$(ls "$src/$ext"/*.orig.tar.* | head -n 1)
        o2c_as_root tar -xf "$tarball" -C "$src/$ext"
        edir=$(find "$src/$ext" -mindepth 1 -maxdepth 1 -type d | head -n 1)
        (
            cd "$edir" &&
            o2c_as_root make -s PG_CONFIG="$prefix/bin/pg_config" with_llvm=no >"$src/$ext.log" 2>&1 &&
            o2c_as_root make -s PG_CONFIG="$prefix/bin/pg_config" with_llvm=no install >>"$src/$ext.log" 2>&1
        ) || { tail -n 30 "$src/$ext.log" >&2; return 1; }
    done
}

o2c_pg_bindir() {
    local v=$1
    if [ "$v" = 15 ]; then
        echo /usr/lib/postgresql/15/bin
        return
    fi
    if [ ! -f "$O2C_PG_CACHE/pg$v/.o2c-complete" ]; then
        o2c_pg_build "$v" >&2 || return 1
    fi
    echo "$O2C_PG_CACHE/pg$v/bin"
}

# The test command over several server versions (O2C_PG_VERSIONS, e.g.
# "15 17 18"): the whole server suite on each, in a cluster of its own, the
# standalone checks (fuzzing, unit tests) once, then one total line.
o2c_test_versions() {
    local v bindir first=1 log line passed=0 failed=0 summary=()
    for v in $O2C_PG_VERSIONS; do
        if ! bindir=$(o2c_pg_bindir "$v"); then
            echo "PostgreSQL $v could not be built"
            failed=$((failed + 1))
            summary+=("PostgreSQL $v: not built")
            continue
        fi
        o2c_log "PostgreSQL $v ($bindir)"
        log=$(mktemp)
        env -u PGHOST -u PGPORT -u O2C_PG_VERSIONS O2C_PGBIN="$bindir" O2C_TEST_STANDALONE=$first \
            bash "$O2C_ROOT/scripts/run.sh" test 2>&1 | tee "$log" |
            grep -vE '^[0-9]+ passed, [0-9]+ failed$' || true
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
        rm -f "$log"
        if [ -z "$line" ]; then
            failed=$((failed + 1))
            summary+=("PostgreSQL $v: the suite did not finish")
            continue
        fi
        passed=$((passed + $(echo "$line" | awk '{print $1}')))
        failed=$((failed + $(echo "$line" | awk '{print $3}')))
        summary+=("on PostgreSQL $v ($("$bindir/pg_config" --version)): $line")
        first=0
    done
    printf '%s\n' "${summary[@]}"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
