import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { healthReport, type HealthReport } from '../health';
import { childLogger } from '../observability/logger';

const log = childLogger('realtime');

export const SYSTEM_NAMESPACE = '/system';
export const HEALTH_EVENT = 'health';

/**
 * Socket.IO on the web server's own port. The /system namespace pushes the dependency health
 * (the same data as /api/health) so status screens update without polling; checks run only
 * while somebody is watching.
 */
export function attachRealtime(
  httpServer: HttpServer,
  options: { healthIntervalMs?: number; check?: () => Promise<HealthReport> } = {},
) {
  const io = new Server(httpServer, { path: '/socket.io', serveClient: false, cors: { origin: false } });
  const check = options.check ?? (() => healthReport());
  const system = io.of(SYSTEM_NAMESPACE);
  let timer: NodeJS.Timeout | undefined;
  let inFlight = false;

  const broadcast = async () => {
    if (inFlight) return;
    inFlight = true;
    try {
      system.emit(HEALTH_EVENT, await check());
    } catch (err) {
      log.error({ err }, 'health broadcast failed');
    } finally {
      inFlight = false;
    }
  };

  system.on('connection', (socket) => {
    void check()
      .then((report) => socket.emit(HEALTH_EVENT, report))
      .catch((err: unknown) => log.error({ err }, 'health check failed'));
    timer ??= setInterval(() => void broadcast(), options.healthIntervalMs ?? 5000);
    socket.on('disconnect', () => {
      if (system.sockets.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    });
  });

  return {
    io,
    close: async () => {
      if (timer) clearInterval(timer);
      await io.close();
    },
  };
}
