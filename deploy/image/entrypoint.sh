#!/bin/sh
# The process of this container, by name: web, sim, features, recorder, trainer, inference, or
# migrate (database migrations, then the Kafka topics). tini is PID 1 and forwards SIGTERM, so
# every worker drains and commits before it exits.
set -eu
cd /app
cmd="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$cmd" in
  web)
    export DRIVELAB_SERVICE="${DRIVELAB_SERVICE:-web}"
    exec node --import tsx server.ts "$@" ;;
  sim|features|recorder|trainer|inference)
    export DRIVELAB_SERVICE="${DRIVELAB_SERVICE:-$cmd}"
    exec node --import tsx "workers/$cmd/main.ts" "$@" ;;
  migrate)
    node node_modules/prisma/build/index.js migrate deploy
    exec node --import tsx deploy/image/ensure-topics.ts ;;
  probe)
    # probe <port> [path]: a health check without curl in the image.
    exec node -e 'fetch(`http://127.0.0.1:${process.argv[1]}${process.argv[2] || "/healthz"}`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$@" ;;
  *)
    echo "usage: web | sim | features | recorder | trainer | inference | migrate | probe <port> [path]" >&2
    exit 64 ;;
esac
