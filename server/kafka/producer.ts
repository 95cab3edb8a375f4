import type { Producer } from 'kafkajs';
import { createKafka, createProducer } from './client';

/**
 * The process-wide Kafka producer of the web process, connected on first use. Kept on
 * globalThis because Next.js route bundles and server.ts load this module separately.
 */
const globalForProducer = globalThis as typeof globalThis & { drivelabProducer?: Promise<Producer> };

export function sharedProducer(): Promise<Producer> {
  if (!globalForProducer.drivelabProducer) {
    const producer = createProducer(createKafka({ clientId: 'drivelab-web' }), { idempotent: true });
    globalForProducer.drivelabProducer = producer.connect().then(
      () => producer,
      (err: unknown) => {
        globalForProducer.drivelabProducer = undefined;
        throw err;
      },
    );
  }
  return globalForProducer.drivelabProducer;
}

export async function disconnectSharedProducer(): Promise<void> {
  const p = globalForProducer.drivelabProducer;
  globalForProducer.drivelabProducer = undefined;
  if (p) await (await p).disconnect().catch(() => undefined);
}
