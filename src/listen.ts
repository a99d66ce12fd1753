import type { AddressInfo, Server } from 'node:net';

/**
 * Starts `server` listening on `host:port` and resolves with the port it got (the one chosen for
 * 0). A failure to listen (a port in use) rejects, rather than surfacing as an `error` event that
 * nobody awaits.
 */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** The GraphQL endpoint on `host:port` as a user opens it: a wildcard bind address shows as localhost. */
export function graphqlUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shown}:${port}/graphql`;
}
