#!/usr/bin/env bash
# ci_recipe: the commands of ci/github-actions.yml and ci/gitlab-ci.yml, run
# here as the CI systems would run them, so that the recipes cannot rot.
#
#   bash tests/ci_recipe.sh LEAFPRESS [BUILDDIR]      (from the repository root)
#
# The steps that install git and leafpress are left out (leafpress is the
# one given, on PATH); the cache is the output/ folder kept between runs;
# every other `run:` block (GitHub) and script line (GitLab) runs, with
# ${{ matrix.shard }} and the CI variables set as the runner would:
#   - a leaflet repository made of this repository's sources, styles and
#     fonts builds: exit 0, a valid report, a valid SARIF log, a summary
#   - the second run (the cache restored) builds nothing
#   - the matrix over --shard 1/4 .. 4/4: the union of the shards is the
#     full build and no output is built twice
#   - a broken leaflet: the build step fails and GitHub gets ::error lines
# Prints ok/FAIL per check and "N passed, M failed".
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
# the leaflet repositories, like a CI runner's checkout, outside this one
make_scratch --outside
unset SOURCE_DATE_EPOCH GITHUB_ACTIONS CI_NODE_INDEX CI_NODE_TOTAL

mkdir -p "$scratch/bin"
ln -s "$leafpress" "$scratch/bin/leafpress"
export PATH="$scratch/bin:$PATH"

# The steps of a recipe, as files $scratch/steps-KIND/NN (one script each).
python3 - "$repo/ci/github-actions.yml" "$scratch/steps-github" github <<'PY'
import os, re, sys
path, out, kind = sys.argv[1:]
os.makedirs(out)
lines = open(path, encoding="utf-8").read().split("\n")
steps, name = [], None
i = 0
while i < len(lines):
    line = lines[i]
    m = re.match(r"^(\s*)- name: (.*)$", line)
    if m:
        name = m.group(2)
    m = re.match(r"^(\s*)(?:- )?run: \|\s*$", line)
    if m:
        indent = None
        body = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or indent is None or lines[i].startswith(indent)):
            if lines[i].strip() and indent is None:
                indent = re.match(r"^\s*", lines[i]).group(0)
            body.append(lines[i][len(indent):] if indent and lines[i].startswith(indent) else "")
            i += 1
        steps.append((name, "\n".join(body).rstrip() + "\n"))
        continue
    i += 1
for n, (name, body) in enumerate(steps):
    if name.startswith("Install"):
        continue  # leafpress is given; git is there
    with open(os.path.join(out, f"{n:02d}"), "w") as f:
        f.write(f"# {name}\n{body}")
PY
python3 - "$repo/ci/gitlab-ci.yml" "$scratch/steps-gitlab" <<'PY'
import os, re, sys
path, out = sys.argv[1:]
os.makedirs(out)
section, n = None, 0
for line in open(path, encoding="utf-8"):
    m = re.match(r"^  (before_script|script|after_script):\s*$", line)
    if m:
        section = m.group(1)
        continue
    if re.match(r"^  \S", line):
        section = None
    m = re.match(r"^    - (.*)$", line)
    if m and section in ("script", "after_script"):
        cmd = m.group(1)
        if cmd.startswith("export PATH="):
            continue  # leafpress is on PATH already
        with open(os.path.join(out, f"{n:02d}-{section}"), "w") as f:
            f.write(cmd + "\n")
        n += 1
PY

# A leaflet repository: this repository's leaflets, styles and fonts.
make_repo() {
    rm -rf "$1"
    mkdir -p "$1"
    cp -r "$repo/sources" "$repo/styles" "$repo/fonts" "$1/"
    for extra in images profiles; do
        [ -d "$repo/$extra" ] && cp -r "$repo/$extra" "$1/"
    done
    return 0
}

# run_github DIR SHARD SHARDS: every step as the runner would (bash -eo
# pipefail, GITHUB_ACTIONS=true); the first failing step's status in $rc
run_github() {
    local dir=$1 shard=$2 shards=$3 step
    rc=0
    : > "$dir/summary.md"
    for step in "$scratch"/steps-github/*; do
        sed "s/\${{ matrix.shard }}/$shard/g" "$step" > "$scratch/step.sh"
        if grep -q '\${{' "$scratch/step.sh"; then
            fail "github step $(head -1 "$step") uses an expression this test does not know" "$(cat "$scratch/step.sh")"
            rc=99
            return
        fi
        if ! (cd "$dir" && GITHUB_ACTIONS=true CI=true SHARDS=$shards GITHUB_STEP_SUMMARY="$dir/summary.md" \
              bash --noprofile --norc -eo pipefail "$scratch/step.sh" >>"$dir/log" 2>>"$dir/err"); then
            [ "$rc" = 0 ] && rc=1
        fi
    done
}

# run_gitlab DIR [INDEX TOTAL]: script lines in one shell, then after_script
run_gitlab() {
    local dir=$1
    {
        echo "set -eo pipefail"
        cat "$scratch"/steps-gitlab/*-script
    } > "$scratch/script.sh"
    cat "$scratch"/steps-gitlab/*-after_script > "$scratch/after.sh"
    (cd "$dir" && env ${2:+CI_NODE_INDEX=$2 CI_NODE_TOTAL=$3} CI=true GITLAB_CI=true bash "$scratch/script.sh" >>"$dir/log" 2>>"$dir/err")
    rc=$?
    (cd "$dir" && env ${2:+CI_NODE_INDEX=$2 CI_NODE_TOTAL=$3} CI=true bash "$scratch/after.sh" >>"$dir/log" 2>>"$dir/err")
}

built() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('\n'.join(sorted(o['path'] for o in r['outputs'] if o['status']=='built')))" "$1"; }
all_outputs() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('\n'.join(sorted(o['path'] for o in r['outputs'])))" "$1"; }

count=$(ls "$scratch"/steps-github | wc -l)
if [ "$count" -ge 3 ] && grep -q "leafpress build" "$scratch"/steps-github/* && [ -n "$(ls "$scratch"/steps-gitlab)" ]; then
    pass "recipes read: $count GitHub steps, $(ls "$scratch"/steps-gitlab | wc -l) GitLab lines"
else
    fail "recipes read" "$(ls "$scratch"/steps-github "$scratch"/steps-gitlab)"
fi

# The SARIF log comes from `check`, which also reports the seeds' readability
# and review warnings (build's report has none): its shape is checked, and
# that it holds no error.
no_errors() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; sys.exit(any(x.get("level") == "error" for x in r))' "$1"; }

# ---- GitHub, one job ------------------------------------------------------
g=$scratch/github
make_repo "$g"
run_github "$g" 1 1
if [ "$rc" = 0 ] && python3 "$repo/tests/check_report.py" report "$g/leafpress-report.json" &&
   python3 "$repo/tests/check_report.py" sarif "$g/leafpress.sarif" && no_errors "$g/leafpress.sarif" &&
   grep -q '^### leafpress' "$g/summary.md"; then
    pass "github: builds, valid report, valid SARIF (warnings only), a summary"
else
    fail "github: builds" "exit $rc; $(tail -5 "$g/err")"
fi
full=$(built "$g/leafpress-report.json")
everything=$(all_outputs "$g/leafpress-report.json")
if [ -n "$full" ] && [ "$full" = "$everything" ]; then pass "github: the first run builds all $(echo "$full" | wc -l) outputs"; else fail "github: the first run builds all"; fi
sleep 2.1
run_github "$g" 1 1
if [ "$rc" = 0 ] && [ -z "$(built "$g/leafpress-report.json")" ]; then
    pass "github: the second run (output/ restored) builds nothing"
else
    fail "github: the second run builds nothing" "$(built "$g/leafpress-report.json")"
fi

# ---- GitHub, the matrix over --shard --------------------------------------
union=""
for k in 1 2 3 4; do
    d=$scratch/shard-$k
    make_repo "$d"
    run_github "$d" "$k" 4
    if [ "$rc" != 0 ]; then
        fail "github shard $k/4 builds" "$(tail -5 "$d/err")"
    fi
    union+=$(built "$d/leafpress-report.json")$'\n'
done
if [ "$(printf '%s' "$union" | grep . | sort)" = "$full" ]; then
    pass "github matrix: the union of --shard 1/4..4/4 is the full build"
else
    fail "github matrix: the union of the shards is the full build" "$(diff <(printf '%s' "$union" | grep . | sort) <(echo "$full"))"
fi
if [ -z "$(printf '%s' "$union" | grep . | sort | uniq -d)" ]; then
    pass "github matrix: no output built by two shards"
else
    fail "github matrix: no output built by two shards" "$(printf '%s' "$union" | sort | uniq -d)"
fi

# ---- GitHub, a broken leaflet ---------------------------------------------
b=$scratch/broken
make_repo "$b"
printf -- '---\ntitle: Kapot\nlang: nl-NL\npublisher: P\nupdated: 2024-13\n---\n# Kapot\n' > "$b/sources/kapot.md"
run_github "$b" 1 1
if [ "$rc" != 0 ] && grep -q '^::error file=sources/kapot.md,line=5' "$b/log" &&
   python3 "$repo/tests/check_report.py" report "$b/leafpress-report.json" &&
   python3 "$repo/tests/check_report.py" sarif "$b/leafpress.sarif"; then
    pass "github: a broken leaflet fails the job, with an ::error annotation and a SARIF result"
else
    fail "github: a broken leaflet fails the job" "exit $rc; $(grep '::' "$b/log" | head -3)"
fi

# ---- GitLab -----------------------------------------------------------------
l=$scratch/gitlab
make_repo "$l"
run_gitlab "$l"
if [ "$rc" = 0 ] && python3 "$repo/tests/check_report.py" report "$l/leafpress-report.json" &&
   python3 "$repo/tests/check_report.py" sarif "$l/leafpress.sarif" && no_errors "$l/leafpress.sarif" &&
   [ "$(built "$l/leafpress-report.json")" = "$full" ]; then
    pass "gitlab: builds everything, valid report and SARIF"
else
    fail "gitlab: builds" "exit $rc; $(tail -5 "$l/err")"
fi
union=""
for k in 1 2; do
    d=$scratch/gitlab-$k
    make_repo "$d"
    run_gitlab "$d" "$k" 2
    union+=$(built "$d/leafpress-report.json")$'\n'
done
if [ "$(printf '%s' "$union" | grep . | sort)" = "$full" ] && [ -z "$(printf '%s' "$union" | grep . | sort | uniq -d)" ]; then
    pass "gitlab parallel: 2: the two jobs together build everything once"
else
    fail "gitlab parallel: 2" "$(printf '%s' "$union")"
fi

finish_tests
