'use client';

import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { TrainingProgress } from '~/server/contracts/training';

/**
 * Subscribes to a training room on /live (`job:<id>` for one job's curves, `org:<slug>` for the
 * latest state of every job) and hands each batch of dl.training updates to `onUpdates`.
 */
export function useTrainingLive(
  room: string,
  onUpdates: (updates: TrainingProgress[]) => void,
): 'connecting' | 'live' | 'offline' | 'denied' {
  const [connection, setConnection] = useState<'connecting' | 'live' | 'offline' | 'denied'>('connecting');
  // The latest callback, read by the socket listener without reconnecting when it changes.
  const handler = useRef(onUpdates);
  useEffect(() => {
    handler.current = onUpdates;
  });
  useEffect(() => {
    const socket: Socket = io('/live', { path: '/socket.io', transports: ['websocket', 'polling'] });
    socket.on('connect', () => {
      socket.emit('join', { room }, (r: { ok: boolean }) => setConnection(r.ok ? 'live' : 'denied'));
    });
    socket.on('disconnect', () => setConnection('offline'));
    socket.on('connect_error', () => setConnection('offline'));
    socket.on('training', (batch: { updates: TrainingProgress[] }) => handler.current(batch.updates));
    return () => {
      socket.disconnect();
    };
  }, [room]);
  return connection;
}

export function formatEta(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export const KIND_LABELS: Record<string, string> = {
  autoencoder: 'Autoencoder (anomaly)',
  'mlp-classifier': 'MLP classifier',
  'mlp-regressor': 'MLP regressor',
  'cnn-regressor': '1D-CNN sequence regressor (RUL)',
};

export function fmtMetric(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toFixed(4);
}
