/** The message to show for a failed tRPC call: the first validation issue, else the error's own text. */
export function errorMessage(err: unknown): string {
  const z = (err as { data?: { zodError?: { message: string }[] | null } }).data?.zodError;
  return z?.[0]?.message ?? (err as Error).message ?? 'Something went wrong';
}
