# The services compose runs next to the app: Kafka (the broker jars of deploy/kafka/pom.xml,
# KRaft), Postgres 15 and Redis, on the same Debian base as the app image. Built by `npm run image`.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jre-headless postgresql-15 redis-server \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && groupadd -g 10001 drivelab \
 && useradd -u 10001 -g 10001 -d /var/lib/drivelab -m -s /usr/sbin/nologin drivelab
COPY kafka-libs /opt/kafka/libs
COPY stack-entrypoint.sh /usr/local/bin/stack-entrypoint
USER 10001:10001
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/stack-entrypoint"]
