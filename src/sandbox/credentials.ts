/**
 * The credentials the sandbox providers accept, in every auth mode of both APIs. They are public
 * on purpose (printed by `npm run sandbox`, used by the tests) and open nothing but the sandboxes.
 * Their shapes follow the vendors' samples: a Cognito-style Thrive tenant id, a UUID iSpring client
 * id with a 42-character secret.
 *
 * Two of them hold characters that URL-encoding changes (`/`, `+`, `=`), as real secrets may: the
 * Thrive API secret, which travels base64 in a Basic header, and the iSpring client secret, which
 * travels form-encoded in the token request. So the tests that look for secrets in logs, errors and
 * traces look for their URL-encoded form too, and the redactor's branch for it runs. None holds
 * `&`, `%`, a quote or a space, so the env lines `npm run sandbox` prints stay valid shell; the
 * iSpring secret holds no `+`, which a form body typed by hand would read as a space.
 */
export const SANDBOX_CREDENTIALS = Object.freeze({
  thrive: Object.freeze({
    /** Basic user name, and the last segment of the token URL. */
    tenantId: 'eu-west-2_SandboxDemo',
    /** Basic password (Basic mode). */
    apiSecret: 'sandbox/thrive+api=secret-7f3c9a',
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
    clientSecret: 'sandboxIspring/ClientSecret/0000000000000=',
    /** Header mode: `X-Auth-Account-Url`, `X-Auth-Email`, `X-Auth-Password`. */
    accountUrl: 'https://northwind-demo.ispringlearn.com',
    email: 'owner@northwind.example',
    password: 'sandbox-ispring-password-4b9d',
  }),
});

export type SandboxCredentials = typeof SANDBOX_CREDENTIALS;
