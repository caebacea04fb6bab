#!/usr/bin/env bash
# The steps of scwform's CI recipe (docs/ci.md), shared by github-actions.yml and gitlab-ci.yml
# and run as they are by the test tests/it/ci.rs.
#
#   scwform-ci.sh plan  DIR PLANFILE COMMENTFILE   on a pull request: plan DIR, save the plan
#                                                   to PLANFILE (keep it as an artifact) and
#                                                   write the Markdown comment to COMMENTFILE
#   scwform-ci.sh apply PLANFILE                    after the merge: apply exactly that plan;
#                                                   exits 10-16 if it is stale (docs/commands.md)
#
# Extra options for every scwform call may be given in SCWFORM_FLAGS (the test uses --sandbox).
set -euo pipefail
export TF_IN_AUTOMATION=1
read -r -a flags <<<"${SCWFORM_FLAGS:-}"

case "${1:-}" in
  plan)
    dir=$2 plan=$3 comment=$4
    set +e
    scwform plan -input=false -no-color -detailed-exitcode -out="$plan" "${flags[@]}" "$dir"
    code=$?
    set -e
    # 0: no changes, 2: changes; anything else is an error the job must show.
    if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then
      exit "$code"
    fi
    # The marker lets the workflow find and update its own comment instead of adding one.
    {
      echo '<!-- scwform-plan -->'
      scwform show --markdown "$plan"
    } >"$comment"
    ;;
  apply)
    plan=$2
    scwform apply -input=false -no-color "${flags[@]}" "$plan"
    ;;
  *)
    echo "usage: $0 plan DIR PLANFILE COMMENTFILE | apply PLANFILE" >&2
    exit 1
    ;;
esac
