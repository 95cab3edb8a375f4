#!/bin/bash
# kafka | postgres | redis, each on 127.0.0.1 (host networking) at the port from the environment.
# State lives in the container's own filesystem: `compose down` forgets it.
set -euo pipefail
state=/var/lib/drivelab
case "${1:-}" in
  kafka)
    port="${KAFKA_PORT:-9092}" controller="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
    mkdir -p "$state/kafka/data" "$state/kafka/logs"
    props="$state/kafka/server.properties"
    # As scripts/lib/stack.ts configures the development broker.
    cat >"$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$state/kafka/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
offset.metadata.max.bytes=65536
auto.create.topics.enable=false
PROPS
    printf 'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%%d] %%p %%m (%%c)%%n\nlog4j.logger.kafka.server.BrokerServer=INFO\n' >"$state/kafka/log4j.properties"
    jvm=(-Xms256m "-Xmx${KAFKA_HEAP:-512m}" -XX:+UseG1GC -Djava.awt.headless=true
      "-Dlog4j.configuration=file:$state/kafka/log4j.properties" "-Dkafka.logs.dir=$state/kafka/logs")
    if [ ! -f "$state/kafka/data/meta.properties" ]; then
      # A cluster id starting with '-' would be read as an option: retry until it does not.
      id=-; while [ "${id:0:1}" = - ]; do id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); done
      java "${jvm[@]}" -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format -t "$id" -c "$props"
    fi
    exec java "${jvm[@]}" -cp '/opt/kafka/libs/*' kafka.Kafka "$props" ;;
  postgres)
    port="${POSTGRES_PORT:-5432}" data="$state/postgres" bin=/usr/lib/postgresql/15/bin
    if [ ! -f "$data/PG_VERSION" ]; then
      "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      echo "CREATE DATABASE ${POSTGRES_DB:-drivelab}" | "$bin/postgres" --single -D "$data" postgres >/dev/null
    fi
    exec "$bin/postgres" -D "$data" -p "$port" -c listen_addresses=127.0.0.1 -c unix_socket_directories=/tmp ;;
  redis)
    exec redis-server --port "${REDIS_PORT:-6379}" --bind 127.0.0.1 --save '' --appendonly no ;;
  *)
    echo "usage: kafka | postgres | redis" >&2
    exit 64 ;;
esac
