#!/usr/bin/env bash
# Builds the libFuzzer targets under fuzz/ with clang into build-fuzz/ and runs each for a
# bounded time from its seed corpus. scripts/test.sh runs it after ctest.
#
#   scripts/fuzz.sh                            every fuzzer
#   scripts/fuzz.sh common_text_fuzzer         only the named ones
#
# Environment:
#   LADDER_FUZZ_SECONDS    seconds each fuzzer runs (default 20)
#   LADDER_FUZZ_JOBS       fuzzers running at once (default: the number of CPUs, at most 4)
#   LADDER_FUZZ_BUILD_DIR  the build directory (default $LADDER_ROOT/build-fuzz)
#
# The seeds are fuzz/corpus/<target>/ (written by build-fuzz/fuzz/ladder_fuzz_seeds); the
# inputs a run finds that reach new code are kept in build-fuzz/corpus/<target>/ and the
# next run starts from them. A crash, a sanitizer report, a broken invariant, a hang or a
# leak stops that fuzzer, keeps its input in build-fuzz/artifacts/, and makes this script
# exit with libFuzzer's exit code once the other fuzzers have run. Reproduce with:
#   build-fuzz/fuzz/<target> build-fuzz/artifacts/<target>-crash-…
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

FUZZ_DIR="${LADDER_FUZZ_BUILD_DIR:-$LADDER_ROOT/build-fuzz}"
SECONDS_EACH="${LADDER_FUZZ_SECONDS:-20}"
JOBS="${LADDER_FUZZ_JOBS:-$(nproc)}"
ALL_TARGETS=(personnel_request_fuzzer evaluation_request_fuzzer careerpath_request_fuzzer
  common_text_fuzzer wire_request_fuzzer)

[[ "$SECONDS_EACH" =~ ^[0-9]+$ && "$SECONDS_EACH" -gt 0 ]] ||
  die "LADDER_FUZZ_SECONDS must be a positive number of seconds, not '$SECONDS_EACH'"
[[ "$JOBS" =~ ^[0-9]+$ && "$JOBS" -gt 0 ]] || die "LADDER_FUZZ_JOBS must be a positive number"
if [[ -z "${LADDER_FUZZ_JOBS:-}" ]] && ((JOBS > 4)); then
  JOBS=4
fi
targets=("$@")
((${#targets[@]})) || targets=("${ALL_TARGETS[@]}")
for target in "${targets[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $target "* ]] ||
    die "unknown fuzzer '$target' (one of: ${ALL_TARGETS[*]})"
done

command -v clang++-14 >/dev/null 2>&1 ||
  die "clang++-14 not found: run scripts/install-deps.sh (clang-14, libclang-rt-14-dev)"

# Configured on every run (a second of work once cached), so a fuzzer added since the last
# run is known to the build; Debug keeps assertions on, and cmake/LadderFuzz.cmake sets the
# optimisation.
build_started=$SECONDS
log "configuring the fuzz build in $FUZZ_DIR"
CC=clang-14 CXX=clang++-14 cmake -S "$LADDER_ROOT" -B "$FUZZ_DIR" -DLADDER_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null
mkdir -p "$FUZZ_DIR/logs" "$FUZZ_DIR/artifacts"
log "building ${targets[*]} in $FUZZ_DIR"
if ! cmake --build "$FUZZ_DIR" -j "${LADDER_JOBS:-$(nproc)}" --target "${targets[@]}" \
  >"$FUZZ_DIR/logs/build.log" 2>&1; then
  tail -n 60 "$FUZZ_DIR/logs/build.log" >&2
  die "the fuzz build failed; see $FUZZ_DIR/logs/build.log"
fi
log "fuzz build took $((SECONDS - build_started)) s"

# One fuzzer, its output in logs/<target>.log; its exit code is libFuzzer's.
run_fuzzer() {
  local target="$1" corpus="$FUZZ_DIR/corpus/$1"
  mkdir -p "$corpus"
  # -timeout: one input running that long is a hang; -rss_limit_mb: a leak or a blow-up.
  "$FUZZ_DIR/fuzz/$target" "$corpus" "$LADDER_ROOT/fuzz/corpus/$target" \
    -max_total_time="$SECONDS_EACH" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -dict="$LADDER_ROOT/fuzz/ladder.dict" -artifact_prefix="$FUZZ_DIR/artifacts/$target-" \
    -print_final_stats=1 </dev/null >"$FUZZ_DIR/logs/$target.log" 2>&1
}

# The figures of a finished run: its last status line and the executions per second.
summarize() {
  local target="$1" log="$FUZZ_DIR/logs/$1.log" status_line rate
  status_line="$(grep -a -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$log" | tail -n 1 || true)"
  rate="$(grep -a '^stat::average_exec_per_sec:' "$log" | awk '{ print $2 }' || true)"
  log "$target: ${rate:-?} exec/s; ${status_line:-no status line}"
}

log "running ${#targets[@]} fuzzers for ${SECONDS_EACH} s each, $JOBS at a time"
declare -A pid_target=()
failed=()
first_code=0
# Reaps one finished fuzzer and reports it.
reap_one() {
  local pid code=0
  wait -n -p pid || code=$?
  local target="${pid_target[$pid]}"
  unset "pid_target[$pid]"
  summarize "$target"
  if ((code != 0)); then
    failed+=("$target")
    ((first_code)) || first_code=$code
    log "$target FAILED with exit code $code; the end of $FUZZ_DIR/logs/$target.log:"
    tail -n 40 "$FUZZ_DIR/logs/$target.log" | grep -a -v '^\s*$' >&2 || true
  fi
}
for target in "${targets[@]}"; do
  while ((${#pid_target[@]} >= JOBS)); do reap_one; done
  run_fuzzer "$target" &
  pid_target[$!]="$target"
done
while ((${#pid_target[@]} > 0)); do reap_one; done

if ((${#failed[@]})); then
  log "fuzzing found a problem in: ${failed[*]} (inputs in $FUZZ_DIR/artifacts/)"
  exit "$first_code"
fi
log "fuzzing found nothing"
