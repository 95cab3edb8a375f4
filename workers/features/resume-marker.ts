/**
 * The worker adds one field to the operator's commit metadata: `hw`, the next offset the
 * previous owner had consumed when it committed. Frames below it that the restored operator
 * rejects (late or tenant) were already sent to dl.dlq before that commit (sinks flush before
 * every commit), so a replay must not send them again. decodeCommitMetadata ignores the field.
 */
export function withHighWater(metadata: string, highWater: number): string {
  const obj = JSON.parse(metadata) as Record<string, unknown>;
  obj.hw = highWater;
  return JSON.stringify(obj);
}

export function highWaterOf(metadata: string | null | undefined): number {
  if (!metadata) return -1;
  try {
    const hw = (JSON.parse(metadata) as { hw?: unknown }).hw;
    return typeof hw === 'number' && Number.isInteger(hw) && hw >= 0 ? hw : -1;
  } catch {
    return -1;
  }
}
