#!/bin/sh
# Stands in for dns01 (DNS01_CLI): records each call's arguments, one line
# each, in $RECORDER_LOG, then runs the real executable $RECORDER_TARGET.
printf '%s\n' "$*" >>"$RECORDER_LOG"
exec "$RECORDER_TARGET" "$@"
