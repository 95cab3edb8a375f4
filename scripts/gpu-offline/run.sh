#!/usr/bin/env bash
# Runs the packed GPU bench (scripts/gpu-offline/pack.sh: node-v*.tar.xz and bundle.tar.xz) on a machine without Node: prints what
# the GPU driver exposes to Vulkan first, so that a missing ICD is visible in the log, then the
# bench JSON. Writes gpu-bench.json and gpu-bench.log to $OUT (default: the current directory).
#
#   run.sh <dir holding the two tarballs>
set -uo pipefail
here=${1:-$(dirname "$0")}
out=${OUT:-$PWD}
work=$(mktemp -d)
{
  echo "== machine"; uname -a; nproc
  echo "== nvidia-smi"; nvidia-smi || echo "nvidia-smi: not found"
  echo "== Vulkan ICD manifests"
  ls -la /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>&1
  for f in /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/nvidia/share/vulkan/icd.d/*.json; do
    [ -f "$f" ] && { echo "-- $f"; cat "$f"; }
  done
  echo "== libraries"; ldconfig -p | grep -i -E 'nvidia|libvulkan|libcuda' || echo "(no nvidia/vulkan libraries in the ldconfig cache)"
} 2>&1 | tee "$out/gpu-bench.log"

for t in "$here"/node-v*.tar.xz "$here/bundle.tar.xz"; do
  tar -C "$work" -xJf "$t" || { echo "unpack of $t failed" | tee -a "$out/gpu-bench.log"; exit 1; }
done
# A bench.mjs beside the tarballs (pack.sh with BENCH_ONLY=1) replaces the packed one: a change to
# the bench needs no new pack of the native parts.
[ -f "$here/bench.mjs" ] && cp "$here/bench.mjs" "$work/bench.mjs"
cd "$work"
./node --version | tee -a "$out/gpu-bench.log"
./node bench.mjs >"$out/gpu-bench.json" 2> >(tee -a "$out/gpu-bench.log" >&2)
rc=$?
cat "$out/gpu-bench.json"
echo "bench exit code: $rc" | tee -a "$out/gpu-bench.log"
exit $rc
