import { EventEmitter } from 'node:events';
import { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaHealth, type ConsumerEvents } from '~/server/observability/kafka-health';

/** kafkajs' real event names, from a consumer that never connects; `on` is driven by the test. */
const events = new Kafka({ brokers: ['127.0.0.1:1'] }).consumer({ groupId: 'names' }).events;

function fakeConsumer() {
  const bus = new EventEmitter();
  const consumer = {
    events,
    on: (name: string, listener: (e: unknown) => void) => {
      bus.on(name, listener);
      return () => bus.off(name, listener);
    },
  } as unknown as ConsumerEvents;
  const emit = (name: string, payload: Record<string, unknown> = {}) =>
    bus.emit(name, { id: 1, type: name, timestamp: Date.now(), payload });
  return { consumer, emit };
}

describe('Kafka consumer health from kafkajs events', () => {
  it('is ready only after the group join, also with no partitions (an idle copy)', () => {
    const h = new KafkaHealth();
    const a = fakeConsumer();
    const b = fakeConsumer();
    h.track(a.consumer, 'drivelab-features');
    h.track(b.consumer, 'drivelab-features');
    expect(h.ready().ok).toBe(true); // nothing connected yet: only the runtime's own start gates it
    a.emit(events.CONNECT);
    b.emit(events.CONNECT);
    expect(h.ready().ok).toBe(false);
    expect(h.ready().reasons.join()).toContain('has not joined');
    a.emit(events.GROUP_JOIN, { groupId: 'drivelab-features', memberAssignment: { 'dl.telemetry': [0, 1, 2] } });
    expect(h.ready().ok).toBe(false);
    b.emit(events.GROUP_JOIN, { groupId: 'drivelab-features', memberAssignment: {} });
    const r = h.ready();
    expect(r.ok).toBe(true);
    expect(r.consumers.map((c) => c.partitions).sort()).toEqual([0, 3]);
    expect(h.live().ok).toBe(true);
  });

  it('stays ready through a rebalance, not while restarting after a retriable crash', () => {
    const h = new KafkaHealth();
    const a = fakeConsumer();
    h.track(a.consumer, 'g');
    a.emit(events.CONNECT);
    a.emit(events.GROUP_JOIN, { memberAssignment: { t: [0] } });
    a.emit(events.REBALANCING, { groupId: 'g' });
    expect(h.ready().ok).toBe(true);
    // kafkajs' order on a crash: STOP, DISCONNECT, then CRASH.
    a.emit(events.STOP);
    a.emit(events.DISCONNECT);
    a.emit(events.CRASH, { error: new Error('broker went away'), groupId: 'g', restart: true });
    expect(h.ready().ok).toBe(false);
    expect(h.ready().reasons[0]).toContain('broker went away');
    expect(h.live().ok).toBe(true);
    a.emit(events.GROUP_JOIN, { memberAssignment: { t: [0] } });
    expect(h.ready().ok).toBe(true);
  });

  it('is not live after a crash kafkajs will not restart from', () => {
    const h = new KafkaHealth();
    const a = fakeConsumer();
    h.track(a.consumer, 'g');
    a.emit(events.CONNECT);
    a.emit(events.GROUP_JOIN, { memberAssignment: {} });
    a.emit(events.STOP);
    a.emit(events.DISCONNECT);
    a.emit(events.CRASH, { error: new Error('not authorized'), groupId: 'g', restart: false });
    expect(h.live().ok).toBe(false);
    expect(h.live().reasons[0]).toMatch(/crashed and will not restart: not authorized/);
    expect(h.ready().ok).toBe(false);
  });

  it('forgets a consumer stopped on purpose', () => {
    const h = new KafkaHealth();
    const a = fakeConsumer();
    const b = fakeConsumer();
    h.track(a.consumer, 'kept');
    h.track(b.consumer, 'transient');
    a.emit(events.CONNECT);
    a.emit(events.GROUP_JOIN, { memberAssignment: {} });
    b.emit(events.CONNECT);
    b.emit(events.STOP);
    b.emit(events.DISCONNECT);
    expect(h.ready().ok).toBe(true);
    expect(h.consumers().map((c) => c.groupId)).toEqual(['kept']);
  });
});
