/** The message to show for a failed tRPC call: the first validation issue, else the error's own text. */
export function errorMessage(err: unknown): string {
  const z = (err as { data?: { zodError?: { message: string }[] | null } }).data?.zodError;
  const own = err instanceof Error ? err.message : '';
  return z?.[0]?.message ?? (own || 'Something went wrong');
}
