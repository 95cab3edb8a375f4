export function errorMessage(err: unknown): string {
  const z = (err as { data?: { zodError?: { message: string }[] | null } }).data?.zodError;
  return z?.[0]?.message ?? (err as Error).message ?? 'Something went wrong';
}

export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return '—';
  return new Date(d).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function relative(d: Date | string | null | undefined): string {
  if (!d) return 'never';
  const s = Math.round((Date.now() - new Date(d).getTime()) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
