# Sourced by bench/gpu/device-run.sh and bench/serving/device-run.sh: the time limit, the log and the hand-back.
# The caller sets RES (this machine's results folder), OUT (what comes back), SUMMARY (the summary's name in RES) and
# ARCHIVE (the name of the archive of RES). A device call is killed at 600 s: DEADLINE is when no new step starts.
START=$(date +%s)
DEADLINE=${DEADLINE:-540}
mkdir -p "$OUT" "$RES"
log() { echo "[$(date -u +%T)] $*" | tee -a "$RES/run.log"; }
# At most 8 files come back from the device: the summary, the log, and everything in one archive. Also after each
# step, so a call killed at its limit still hands back what it finished.
save() { cp "$RES/$SUMMARY" "$RES"/run.log "$OUT/" 2>/dev/null; tar -czf "$OUT/$ARCHIVE" -C "$RES" . 2>/dev/null; }
finish() { save; exit "${1:-0}"; }
trap 'finish 1' INT TERM
die() { log "FAILED: $*"; finish 1; }
# left <step> [seconds it needs]: ends the call (results saved) when the step would not finish before DEADLINE.
left() { [ $(($(date +%s) - START + ${2:-0})) -lt "$DEADLINE" ] || { log "out of time before $1: call again on the warm machine to resume"; finish 0; }; }
# Seconds until 30 s before the call's limit: a bound for `timeout` on one step.
remaining() { echo $((DEADLINE + 30 - $(date +%s) + START)); }
