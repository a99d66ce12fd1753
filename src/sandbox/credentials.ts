/**
 * The credentials the sandbox providers accept, in every auth mode of both APIs. They are public
 * on purpose (printed by `npm run sandbox`, used by the tests) and open nothing but the sandboxes.
 * Their shapes follow the vendors' samples: a Cognito-style Thrive tenant id, a UUID iSpring client
 * id with a 43-character URL-safe secret.
 */
export const SANDBOX_CREDENTIALS = Object.freeze({
  thrive: Object.freeze({
    /** Basic user name, and the last segment of the token URL. */
    tenantId: 'eu-west-2_SandboxDemo',
    /** Basic password (Basic mode). */
    apiSecret: 'sandbox-thrive-api-secret-7f3c9a',
    /** OAuth 2.0 client credentials (OAuth mode). */
    clientId: '5sandbox0thrive0client0id',
    clientSecret: 'sandbox-thrive-client-secret-2d81e6',
    /** What the token endpoint grants when no scope is asked for. */
    defaultScope: 'api/read',
    /** Every scope Thrive's token endpoint documents. */
    scopes: Object.freeze(['api/read', 'api/write', 'api/all', 'api/webhooks'] as const),
  }),
  ispring: Object.freeze({
    /** Token mode: `POST /api/v3/token` form fields. */
    clientId: '0e5d4c3b-68f4-11ee-b2b4-5a4e0b5a11ce',
    clientSecret: 'sandboxIspringClientSecret0000000000000000',
    /** Header mode: `X-Auth-Account-Url`, `X-Auth-Email`, `X-Auth-Password`. */
    accountUrl: 'https://northwind-demo.ispringlearn.com',
    email: 'owner@northwind.example',
    password: 'sandbox-ispring-password-4b9d',
  }),
});

export type SandboxCredentials = typeof SANDBOX_CREDENTIALS;
