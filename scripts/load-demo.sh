#!/usr/bin/env bash
# Loads the demo city branch from the CSV files under demo/ with ladderctl, as an HR officer
# would: the org units and teams, the employees with their levels and history, the quarterly
# scorecard, 2026 Q2 and Q3 scored and finalised, Q4 open and partly scored, and the review
# of Q3 with its open cases.
#
#   scripts/load-demo.sh [--parts=personnel,evaluation,careerpath] [--ca=FILE]
#                        [--token-file=FILE]
#
# --parts limits the load to the services that run (default: all three). Every step is safe
# to repeat: a second run changes nothing. The services are found as ladderctl finds them
# (LADDER_PERSONNEL_ADDRESS, LADDER_EVALUATION_ADDRESS, LADDER_CAREERPATH_ADDRESS, else
# 127.0.0.1:50051/50052/50053).
#
# The services answer over TLS and only to a caller with a token whose role may create
# (HR_ADMIN): --ca is the CA that signed their certificates and --token-file a file holding
# the token; each is handed to every ladderctl call (as --tls-ca and --token-file). Without
# them ladderctl takes its environment: LADDER_TLS_CA, LADDER_TOKEN (and LADDER_TLS, ...).
#
# Environment:
#   LADDERCTL   the ladderctl binary, default $LADDER_BUILD_DIR/tools/ladderctl/ladderctl
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

LADDERCTL="${LADDERCTL:-$LADDER_BUILD_DIR/tools/ladderctl/ladderctl}"
DEMO="$LADDER_ROOT/demo"
BRANCH=衢州分公司
SCORECARD=客户经理季度考核

parts=personnel,evaluation,careerpath
# Flags every ladderctl call gets: how to reach the services, never shown in the log.
connection=()
for arg in "$@"; do
  case "$arg" in
    --parts=*) parts="${arg#--parts=}" ;;
    --ca=*) connection+=("--tls-ca=${arg#--ca=}") ;;
    --token-file=*) connection+=("--token-file=${arg#--token-file=}") ;;
    *) die "unknown argument '$arg' (usage: $0 [--parts=personnel,evaluation,careerpath]" \
      "[--ca=FILE] [--token-file=FILE])" ;;
  esac
done
has_part() { [[ ",$parts," == *",$1,"* ]]; }

[[ -x "$LADDERCTL" ]] || die "$LADDERCTL is missing: build the ladderctl target first"

ctl() {
  log "ladderctl $*"
  "$LADDERCTL" "${connection[@]}" "$@"
}

ctl orgunits import "$DEMO/org_units.csv"
ctl teams import "$DEMO/teams.csv"
ctl employees import "$DEMO/employees.csv"

if has_part evaluation; then
  ctl scorecards create "$DEMO/scorecard.csv" --name="$SCORECARD"
  # name, first day, last day, scores, finalise?
  while read -r name start end scores finalize; do
    ctl cycles create --name="$name" --period=quarterly --start="$start" --end="$end" \
      --scorecard="$SCORECARD" --scope="$BRANCH"
    ctl scores import "$DEMO/$scores" --cycle="$name"
    if [[ "$finalize" == yes ]]; then
      ctl cycles review-start "$name"
      ctl cycles finalize "$name"
    fi
  done <<'CYCLES'
2026年第二季度 2026-04-01 2026-06-30 scores-2026q2.csv yes
2026年第三季度 2026-07-01 2026-09-30 scores-2026q3.csv yes
2026年第四季度 2026-10-01 2026-12-31 scores-2026q4.csv no
CYCLES
  if has_part careerpath; then
    ctl review 2026年第三季度
    ctl report distribution "$BRANCH"
  fi
fi
log "demo data loaded"
