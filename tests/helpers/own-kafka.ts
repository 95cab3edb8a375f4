import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Socket } from 'node:net';
import { formatKraftStorage, kafkaToolsClasspath, kraftProperties } from '~/scripts/lib/stack';

/**
 * A second, private copy of the bundled broker (same Maven jars as `npm run stack:up`) on its own
 * ports and data directory, for tests that must reconfigure or restart a broker: the shared one
 * on 9092 is never touched. Listeners and extra properties come from the test.
 */
export interface OwnKafka {
  dir: string;
  /** The client listener, host:port. */
  broker: string;
  start(): Promise<void>;
  /** SIGTERM (controlled shutdown) or SIGKILL, then waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the broker and deletes its data. */
  destroy(): Promise<void>;
  log(): string;
}

export interface OwnKafkaOptions {
  port: number;
  controllerPort: number;
  /** Listener name → security protocol of the client listener; PLAINTEXT by default. */
  protocol?: 'PLAINTEXT' | 'SASL_SSL' | 'SSL' | 'SASL_PLAINTEXT';
  /** More server.properties lines. */
  properties?: string[];
  /** kafka-storage --add-scram entries, e.g. SCRAM-SHA-256=[name=bob,password=secret]. */
  scram?: string[];
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, '127.0.0.1', () => done(true));
  });
}

export async function ownKafka(o: OwnKafkaOptions): Promise<OwnKafka> {
  const cp = await kafkaToolsClasspath();
  const dir = mkdtempSync(join(tmpdir(), `drivelab-kafka-${o.port}-`));
  const dataDir = join(dir, 'data');
  const protocol = o.protocol ?? 'PLAINTEXT';
  const props = join(dir, 'server.properties');
  writeFileSync(
    props,
    kraftProperties({
      port: o.port,
      controllerPort: o.controllerPort,
      dataDir,
      listener: 'CLIENT',
      protocol,
      extra: ['offsets.topic.num.partitions=4', 'num.network.threads=2', 'num.io.threads=2', ...(o.properties ?? [])],
    }),
  );
  writeFileSync(
    join(dir, 'log4j.properties'),
    [
      'log4j.rootLogger=WARN, file',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      `log4j.appender.file.File=${join(dir, 'server.log')}`,
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  );
  const jvm = [
    '-Xms128m',
    '-Xmx384m',
    '-XX:+UseSerialGC',
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
  ];
  await formatKraftStorage(
    jvm,
    cp,
    props,
    (o.scram ?? []).flatMap((s) => ['--add-scram', s]),
  );
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const log = () => {
    const f = join(dir, 'server.log');
    const out = join(dir, 'stdout.log');
    return [existsSync(out) ? readFileSync(out, 'utf8') : '', existsSync(f) ? readFileSync(f, 'utf8') : '']
      .join('\n')
      .slice(-4000);
  };
  const self: OwnKafka = {
    dir,
    broker: `127.0.0.1:${o.port}`,
    async start() {
      mkdirSync(dataDir, { recursive: true });
      const out = openSync(join(dir, 'stdout.log'), 'a');
      const c = spawn('java', [...jvm, '-cp', cp, 'kafka.Kafka', props], { stdio: ['ignore', out, out] });
      closeSync(out);
      child = c;
      exited = new Promise((resolve) => c.once('exit', () => resolve()));
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        if (c.exitCode !== null) throw new Error(`own Kafka exited during start-up:\n${log()}`);
        if (await tcpOpen(o.port)) return;
        await new Promise((r) => setTimeout(r, 300));
      }
      throw new Error(`own Kafka did not listen on ${o.port} within 90 s:\n${log()}`);
    },
    async stop(signal = 'SIGTERM') {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child?.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
    async destroy() {
      await self.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    log,
  };
  return self;
}
