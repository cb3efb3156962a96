#!/bin/sh
# exit-code.sh CMD ARGS...: runs CMD, then prints "exit code: N" and exits 0,
# so a test can check the exact exit status.
"$@"
echo "exit code: $?"
