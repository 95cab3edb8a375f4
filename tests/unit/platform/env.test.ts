import { describe, expect, it } from 'vitest';
import { parseEnv } from '~/server/env';

describe('parseEnv', () => {
  it('gives working defaults for a fresh clone', () => {
    const env = parseEnv({});
    expect(env.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(env.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/drivelab');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.PORT).toBe(3000);
    expect(env.KAFKA_TOPIC_PREFIX).toBe('');
  });

  it('splits broker lists and coerces numbers', () => {
    const env = parseEnv({ KAFKA_BROKERS: ' a:9092, b:9093 ,', PORT: '4100', KAFKA_PARTITIONS: '12' });
    expect(env.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
    expect(env.PORT).toBe(4100);
    expect(env.KAFKA_PARTITIONS).toBe(12);
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv({ PORT: '' }).PORT).toBe(3000);
  });

  it('names every invalid variable in one clear error', () => {
    expect(() => parseEnv({ PORT: 'eighty', DATABASE_URL: 'not a url', KAFKA_TOPIC_PREFIX: 'bad prefix!' })).toThrow(
      /Invalid environment:[\s\S]*PORT[\s\S]*DATABASE_URL[\s\S]*KAFKA_TOPIC_PREFIX/,
    );
  });
});
