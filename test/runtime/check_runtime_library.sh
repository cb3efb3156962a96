#!/bin/sh
# check_runtime_library.sh LIB: LIB's DT_NEEDED entries are among libc, libdl,
# libm, libpthread (and the dynamic loader) and it exports only agm_* symbols.
set -eu
lib=$1
status=0
needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for n in $needed; do
  case $n in
    libc.so.*|libdl.so.*|libm.so.*|libpthread.so.*|ld-linux*) ;;
    *) echo "error: $lib needs $n (only libc, libdl, libm, pthread allowed)"; status=1 ;;
  esac
done
exports=$(nm -D --defined-only "$lib" | awk '{print $3}')
for s in $exports; do
  case $s in
    agm_*) ;;
    *) echo "error: $lib exports $s (only the runtime.h API, agm_*)"; status=1 ;;
  esac
done
echo "$lib: $(wc -c < "$lib") bytes; needs: $(echo $needed); exports $(echo "$exports" | wc -w) agm_* symbols"
exit $status
