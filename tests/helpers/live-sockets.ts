import { encode } from 'next-auth/jwt';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { authSecret } from '~/server/auth/secret';

/**
 * Socket.IO clients of the /live namespace for tests: signed in with a session cookie or an API
 * key, joining rooms through the server's membership check. `disconnectAll` in afterAll.
 */
export function liveClients(baseUrl: () => string) {
  const clients: ClientSocket[] = [];
  return {
    client(auth: { cookie?: string; apiKey?: string }): ClientSocket {
      const s = connect(`${baseUrl()}/live`, { path: '/socket.io', transports: ['websocket'], reconnection: false, extraHeaders: auth.cookie ? { cookie: auth.cookie } : {}, auth: auth.apiKey ? { apiKey: auth.apiKey } : {} });
      clients.push(s);
      return s;
    },
    connected: (s: ClientSocket) => new Promise<void>((res, rej) => (s.once('connect', () => res()), s.once('connect_error', rej))),
    join: (s: ClientSocket, room: string) => s.emitWithAck('join', { room }) as Promise<{ ok: boolean; error?: string }>,
    sessionCookie: async (userId: string) => `next-auth.session-token=${await encode({ token: { sub: userId }, secret: authSecret(), maxAge: 3600 })}`,
    disconnectAll: () => {
      for (const c of clients) c.disconnect();
    },
  };
}
