/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // These talk to sockets or native code and must stay plain Node requires, shared with server.ts.
  serverExternalPackages: [
    'onnxruntime-node',
    'kafkajs',
    'ioredis',
    'pino',
    'prom-client',
    'pg',
    '@prisma/client',
    '@prisma/adapter-pg',
    'socket.io',
  ],
  typescript: {
    // `npm test` runs `tsc --noEmit` over the whole repo (workers and scripts included) before the build.
    ignoreBuildErrors: false,
  },
};

export default nextConfig;
