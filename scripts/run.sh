#!/usr/bin/env bash
# o2c set-up helper: the one entry point behind README's commands.
#
#   scripts/run.sh demo    install what is missing, build, run the demo
#   scripts/run.sh test    install what is missing, build, run every test
#                          (O2C_PG_VERSIONS="15 17 18": on each of those servers,
#                          building the ones Debian 12 lacks from source once)
#   scripts/run.sh bench   install what is missing, build, run the benchmarks
#   scripts/run.sh soak    install what is missing, build, soak for O2C_SOAK_SECONDS
#                          (default 1200): sqlsmith, targeted calls, jobs (scripts/soak.sh)
#   scripts/run.sh valgrind  the regression suite against a server run under
#                          valgrind (scripts/valgrind.sh; installs valgrind)
#
# Run as root or as a user with sudo. When PGHOST and PGPORT are both set, the
# server they name is used; otherwise a throwaway cluster is started on a
# private socket and port, as a non-root user, and stopped again on exit.
set -euo pipefail

O2C_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$O2C_ROOT/scripts/lib.sh"
# shellcheck source=scripts/versions.sh
. "$O2C_ROOT/scripts/versions.sh"

usage() {
    echo "usage: $0 demo|test|bench|soak|valgrind" >&2
    exit 2
}

main() {
    local cmd=${1:-}
    case "$cmd" in
        demo|test|bench|soak|valgrind) ;;
        *) usage ;;
    esac
    [ "$cmd" = valgrind ] && O2C_PACKAGES+=(valgrind)
    o2c_install_deps
    if [ "$cmd" = test ] && [ -n "${O2C_PG_VERSIONS:-}" ]; then
        o2c_test_versions
        return
    fi
    o2c_build_install
    if [ "$cmd" = valgrind ]; then
        # Starts its own server, under valgrind.
        exec bash "$O2C_ROOT/scripts/valgrind.sh"
    fi
    if [ "$cmd" = bench ]; then
        O2C_CLUSTER_PROFILE=bench o2c_cluster_start
    else
        o2c_cluster_start
    fi
    case "$cmd" in
        demo)  o2c_run_demo ;;
        test)  o2c_run_tests ;;
        bench) o2c_run_bench ;;
        soak)  bash "$O2C_ROOT/scripts/soak.sh" ;;
    esac
}

main "$@"
