/**
 * The most procedure calls one tRPC batch request may carry. Without a bound one request fans
 * out into any number of calls (a thousand `system.health` checks, each opening its own Kafka
 * connection); over it the request is a 400 and no call runs. The clients' batch links use
 * the same number, so they never send more.
 */
export const MAX_TRPC_BATCH = 50;
