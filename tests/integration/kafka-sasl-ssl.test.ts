import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '~/server/env';
import { createKafka, createProducer, ensureTopics, kafkaSecurity, topic } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { ownKafka, type OwnKafka } from '../helpers/own-kafka';

/**
 * Our client factory against a broker that only speaks SASL_SSL with client certificates, as a
 * managed Kafka or Strimzi does: a CA, broker and client certificates made here with openssl, SASL
 * PLAIN and SCRAM users, and the settings taken from environment variables through env.ts.
 */
const PORT = 19110;
const CONTROLLER = 19111;

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA of its own (key and self-signed certificate), valid for two days. */
function selfSignedCa(dir: string, keyFile: string, certFile: string, cn: string): void {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
  );
}

function makePki(dir: string): void {
  selfSignedCa(dir, 'ca.key', 'ca.pem', 'drivelab-test-ca');
  for (const name of ['server', 'client']) {
    openssl(dir, 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`);
    openssl(
      dir,
      'req',
      '-new',
      '-key',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name === 'server' ? 'localhost' : 'drivelab-client'}`,
    );
    writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
  // Kafka's PEM key store: the unencrypted PKCS#8 key followed by the certificate chain.
  execFileSync('sh', ['-c', 'cat server.key server.crt ca.pem > server-keystore.pem'], { cwd: dir });
  // A second CA the broker does not know.
  selfSignedCa(dir, 'other.key', 'other-ca.pem', 'someone-else');
}

describe('Kafka over SASL_SSL (own broker)', () => {
  let pki: string;
  let broker: OwnKafka;
  const prefix = `sasl-${randomBytes(3).toString('hex')}.`;

  const envFor = (extra: Record<string, string>) =>
    parseEnv({
      KAFKA_BROKERS: `127.0.0.1:${PORT}`,
      KAFKA_SSL: '1',
      KAFKA_SSL_CA_FILE: join(pki, 'ca.pem'),
      KAFKA_SSL_CERT_FILE: join(pki, 'client.crt'),
      KAFKA_SSL_KEY_FILE: join(pki, 'client.key'),
      ...extra,
    });
  const client = (extra: Record<string, string>) => {
    const e = envFor(extra);
    return createKafka({ brokers: e.KAFKA_BROKERS, security: kafkaSecurity(e), retries: 1, clientId: 'sasl-test' });
  };

  beforeAll(async () => {
    pki = mkdtempSync(join(tmpdir(), 'drivelab-pki-'));
    makePki(pki);
    broker = await ownKafka({
      port: PORT,
      controllerPort: CONTROLLER,
      protocol: 'SASL_SSL',
      scram: ['SCRAM-SHA-256=[name=sam,password=sam-secret]', 'SCRAM-SHA-512=[name=sue,password=sue-secret]'],
      properties: [
        'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        'sasl.mechanism.inter.broker.protocol=PLAIN',
        'listener.name.client.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";',
        'listener.name.client.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${join(pki, 'server-keystore.pem')}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${join(pki, 'ca.pem')}`,
        'ssl.client.auth=required',
      ],
    });
    await broker.start();
  }, 180_000);

  afterAll(async () => {
    await broker?.destroy();
    if (pki) rmSync(pki, { recursive: true, force: true });
  });

  it.each([
    ['plain', 'alice', 'alice-secret'],
    ['scram-sha-256', 'sam', 'sam-secret'],
    ['scram-sha-512', 'sue', 'sue-secret'],
  ])(
    'produces and consumes through the client factory with SASL %s over mutual TLS',
    async (mechanism, user, password) => {
      const kafka = client({
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: user,
        KAFKA_SASL_PASSWORD: password,
      });
      const p = `${prefix}${mechanism}.`;
      await ensureTopics(kafka, { prefix: p, partitions: 1, overrides: '' });
      const producer = createProducer(kafka);
      await producer.connect();
      const value = `hello ${mechanism} ${randomBytes(4).toString('hex')}`;
      await producer.send({ topic: topic(TOPICS.events, p), messages: [{ key: 'k', value }] });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: `${p}reader` });
      await consumer.connect();
      await consumer.subscribe({ topic: topic(TOPICS.events, p), fromBeginning: true });
      const got = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve(message.value?.toString() ?? '');
          },
        });
      });
      await consumer.disconnect();
      expect(got).toBe(value);
    },
  );

  it('refuses a wrong password with an authentication error naming the mechanism', async () => {
    const admin = client({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'sue',
      KAFKA_SASL_PASSWORD: 'wrong',
    }).admin();
    const err = await admin.connect().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await admin.disconnect().catch(() => undefined);
    expect(err?.name).toBe('KafkaJSSASLAuthenticationError');
    expect(err?.message).toMatch(/SCRAM SHA512 authentication failed/i);
  });

  it('refuses a broker whose certificate is not signed by the configured CA', async () => {
    const admin = client({
      KAFKA_SSL_CA_FILE: join(pki, 'other-ca.pem'),
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: 'alice-secret',
    }).admin();
    const err = await admin.connect().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await admin.disconnect().catch(() => undefined);
    expect(err).toBeInstanceOf(Error);
    expect(`${err?.message} ${JSON.stringify((err as { cause?: unknown } | undefined)?.cause ?? '')}`).toMatch(
      /certificate|self.signed|Connection error/i,
    );
  });

  it('names settings that only work together', () => {
    expect(() => parseEnv({ KAFKA_SASL_MECHANISM: 'plain' })).toThrow(
      /needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
    expect(() => parseEnv({ KAFKA_SSL_CA_FILE: '/x.pem' })).toThrow(/set KAFKA_SSL=1/);
    expect(() => parseEnv({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
    expect(() => kafkaSecurity(parseEnv({ KAFKA_SSL: '1', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }))).toThrow(
      /KAFKA_SSL_CA_FILE: cannot read \/nonexistent\/ca.pem/,
    );
  });
});
