#!/usr/bin/env bash
# Threads: a build starts the few threads leafpress means to (a hyphenation
# loader per language, a finishing thread and proof encoders per variant,
# Pango's fontconfig set-up), not two for every font pattern Pango 1.50 makes
# (src/pango_fc_threads.c runs those on the calling thread).
#
#   bash tests/threads.sh LEAFPRESS BUILDDIR      (from the repository root)
#
# The threads are counted by BUILDDIR/thread_count.so (tests/thread_count.c),
# preloaded: it counts pthread_create calls and appends the count at exit.
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
require_dirs styles/ fonts/
counter=$(test_tool "build the tests: cmake" thread_count.so) || exit 2

make_scratch
project=$scratch/proj
make_project "$project" house
{
    printf -- '---\ntitle: Draden\nlang: nl-NL\npublisher: Testuitgever\nupdated: 2020-02\n---\n'
    printf '# Draden\n\nDeze folder vertelt u wat u kunt verwachten van het onderzoek.\n\n'
    printf '## Voorbereiding\n\nNeem uw **medicijnlijst** mee en kom *nuchter*.\n\n'
    printf '### Na afloop\n\n- U mag naar huis.\n- Bel bij koorts de polikliniek.\n\n'
    printf '> [!TIP]\n> Neem een begeleider mee.\n'
} >"$project/sources/draden.md"

# threads ARGS...: leafpress ARGS in the project, one leaflet at a time (so
# in this process, not in workers); prints the number of threads it started
threads() {
    rm -f "$scratch/count"
    # a sanitizer build checks that its runtime comes first; the counter
    # then comes before it, which is what it needs
    (cd "$project" &&
        THREAD_COUNT_FILE="$scratch/count" LD_PRELOAD="$counter" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        "$leafpress" "$@" -j 1) >"$scratch/out" 2>"$scratch/err" || return 1
    [ -s "$scratch/count" ] && cat "$scratch/count"
}

# expect_threads NAME MAX ARGS...: the run succeeds and starts 1..MAX threads
# (at least one: a build that writes a PDF finishes it on a thread, so 0
# means the counter saw nothing)
expect_threads() {
    local name=$1 max=$2 n
    shift 2
    if ! n=$(threads "$@"); then
        fail "$name" "$(cat "$scratch/err")"
    elif [ "$n" -ge 1 ] && [ "$n" -le "$max" ]; then
        pass "$name: $n threads (at most $max)"
    else
        fail "$name: $n threads (at most $max)"
    fi
}

# the screen PDF: the Dutch patterns' loader, one finishing thread, Pango's
# FcInit (the build before src/pango_fc_threads.c started 39)
expect_threads "a screen PDF" 3 build --force --screen-only -o "$scratch/out1"
# every output: and the proofs' encoders, one a core (up to 4); the
# variant's finishing thread finishes its print PDF too
cores=$(getconf _NPROCESSORS_ONLN) # what leafpress counts (sysconf)
encoders=$(( cores < 1 ? 1 : cores > 4 ? 4 : cores ))
expect_threads "screen, print, booklet and proofs" $((3 + encoders)) build --force -o "$scratch/out2"

finish_tests
