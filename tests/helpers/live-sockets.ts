import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode } from 'next-auth/jwt';
import { Server, type Namespace } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { authSecret } from '~/server/auth/secret';
import { db } from '~/server/db';
import { attachLiveNamespace } from '~/server/realtime/live';
import { redis } from '~/server/store/redis';

/**
 * Socket.IO clients of the /live namespace for tests: signed in with a session cookie or an API
 * key, joining rooms through the server's membership check. `disconnectAll` in afterAll.
 */
export function liveClients(baseUrl: () => string) {
  const clients: ClientSocket[] = [];
  return {
    client: (auth: { cookie?: string; apiKey?: unknown }): ClientSocket => {
      const s = connect(`${baseUrl()}/live`, {
        path: '/socket.io',
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: auth.cookie ? { cookie: auth.cookie } : {},
        auth: auth.apiKey !== undefined ? { apiKey: auth.apiKey } : {},
      });
      clients.push(s);
      return s;
    },
    connected: (s: ClientSocket) =>
      new Promise<void>((res, rej) => (s.once('connect', () => res()), s.once('connect_error', rej))),
    join: (s: ClientSocket, room: string) =>
      s.emitWithAck('join', { room }) as Promise<{ ok: boolean; error?: string }>,
    sessionCookie: async (userId: string) =>
      `next-auth.session-token=${await encode({ token: { sub: userId }, secret: authSecret(), maxAge: 3600 })}`,
    disconnectAll: () => {
      for (const c of clients) c.disconnect();
    },
  };
}

/** A Socket.IO server with the real /live namespace (auth, room checks) on a free local port. */
export async function startLiveServer(): Promise<{ io: Server; live: Namespace; base: string }> {
  const http = createServer();
  const io = new Server(http, { path: '/socket.io' });
  const live = attachLiveNamespace(io, { db, redis });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return { io, live, base: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}
