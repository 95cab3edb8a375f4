/** The OpenID provider the SSO browser test starts, and the web server is configured with. */
const port = Number(process.env.E2E_PORT ?? 3100) + 95;

export const OIDC_E2E = {
  port,
  issuer: `http://127.0.0.1:${port}`,
  clientId: 'drivelab-e2e',
  clientSecret: 'e2e-oidc-client-secret-not-for-production',
  name: 'E2E SSO',
} as const;
