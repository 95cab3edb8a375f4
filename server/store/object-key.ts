/**
 * Object keys are '/'-separated relative paths with no empty, '.' or '..' segment, whatever the
 * backend: a key can never name something outside the store (a parent folder, another bucket prefix).
 */
export function checkObjectKey(key: string): string[] {
  const parts = key.split('/');
  if (key.length === 0 || parts.some((p) => p === '' || p === '.' || p === '..'))
    throw new Error(`invalid object key: ${key}`);
  return parts;
}
