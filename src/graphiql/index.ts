import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { Router } from 'express';
import { SANDBOX_EXAMPLES, type GraphiQLExample } from './examples.js';
import { FAVICON_SVG } from './favicon.js';

/**
 * GraphiQL served by the subgraph itself, with nothing from a CDN: the machines it runs on may have
 * no internet. A browser that GETs `/graphql` asking for HTML gets a page (Apollo's landing page,
 * rendered by `graphiqlLandingPage`) whose scripts and styles are the packages' own files from
 * node_modules, served by `graphiqlAssets` under `GRAPHIQL_ASSETS_PATH`, like its icon (`favicon.ts`).
 *
 * The page has no inline script or style, so that a strict Content-Security-Policy
 * (`script-src 'self'; style-src 'self'`) set in front of the subgraph does not break it: even the
 * code that starts GraphiQL is a served file (`boot.*.js`, generated at start-up from the example
 * queries), and the GraphQL endpoint reaches it through a `data-endpoint` attribute of the page.
 *
 * Every file is served under a name that carries a hash of its content, so it can be cached
 * forever (`immutable`): a new version of a package, or new examples, is a new name in the page.
 */

export const GRAPHIQL_ASSETS_PATH = '/graphiql';

const PAGE_TITLE = 'Learning directory subgraph — GraphiQL';
/** A year: the longest `max-age` caches are asked to honour; the names change with the content. */
const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
const JAVASCRIPT = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SVG = 'image/svg+xml';
const EXTENSIONS: Readonly<Record<string, string>> = { [JAVASCRIPT]: 'js', [CSS]: 'css', [SVG]: 'svg' };

interface Asset {
  /** The file name under the assets path: `<stem>.<content hash>.<js|css|svg>`. */
  readonly fileName: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag: string;
}

interface AssetBundle {
  /** Loaded in this order: GraphiQL's UMD bundle reads the globals React and ReactDOM. */
  readonly scripts: readonly Asset[];
  readonly styles: readonly Asset[];
  /** The page's icon (`<link rel="icon">`). */
  readonly icon: Asset;
  /** The allow-list the router serves, by `/<fileName>`: nothing outside it is ever read. */
  readonly byRequestPath: ReadonlyMap<string, Asset>;
}

/**
 * express Router serving the static assets (react, react-dom, graphiql js/css) from node_modules,
 * plus the page's generated boot script and style sheet and its icon, with long cache headers and an ETag. Only
 * the fixed allow-list is served, by exact name: any other path (unknown files, `..`, encoded or
 * not) falls through to the app, whose catch-all answers 404.
 */
export function graphiqlAssets(): Router {
  const { byRequestPath } = assetBundle();
  const router = Router();
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const asset = byRequestPath.get(req.path);
    if (!asset) return next();
    res.set({
      'content-type': asset.contentType,
      'cache-control': IMMUTABLE_CACHE_CONTROL,
      etag: asset.etag,
      'x-content-type-options': 'nosniff',
    });
    // With the ETag set, express answers 304 to a matching If-None-Match, and no body to HEAD.
    res.send(asset.body);
  });
  return router;
}

/**
 * Apollo Server plugin (serverWillStart -> renderLandingPage) returning the GraphiQL HTML page.
 * Apollo asks for it only for a GET whose Accept prefers `text/html`; GraphQL requests never see it.
 * `endpointPath` and `assetsPath` are paths on the subgraph's own origin (e.g. `/graphql`,
 * `/graphiql`), so the page works whatever host and port it is reached by.
 */
export function graphiqlLandingPage(options: {
  endpointPath: string;
  assetsPath: string;
}): ApolloServerPlugin {
  const endpointPath = sameOriginPath(options.endpointPath, 'endpointPath');
  const assetsPath = sameOriginPath(options.assetsPath, 'assetsPath').replace(/\/+$/, '');
  return {
    async serverWillStart() {
      const html = renderPage(assetBundle(), endpointPath, assetsPath);
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}

/** A path such as `/graphql`; refuses URLs and `//host/...`, which would point the page elsewhere. */
function sameOriginPath(value: string, name: string): string {
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) {
    throw new Error(`GraphiQL: ${name} must be a path on this server such as "/graphql", got ${value}`);
  }
  return value;
}

function renderPage(bundle: AssetBundle, endpointPath: string, assetsPath: string): string {
  const href = (asset: Asset) => escapeHtml(`${assetsPath}/${asset.fileName}`);
  // `defer` keeps the scripts' order and runs them once the #graphiql element exists.
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>${escapeHtml(PAGE_TITLE)}</title>
    <link rel="icon" type="${SVG}" href="${href(bundle.icon)}" />
${bundle.styles.map((asset) => `    <link rel="stylesheet" href="${href(asset)}" />`).join('\n')}
${bundle.scripts.map((asset) => `    <script defer src="${href(asset)}"></script>`).join('\n')}
  </head>
  <body>
    <div id="graphiql" data-endpoint="${escapeHtml(endpointPath)}">Loading GraphiQL…</div>
    <noscript>GraphiQL needs JavaScript. The GraphQL endpoint is ${escapeHtml(endpointPath)} (POST, JSON).</noscript>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

let loadedBundle: AssetBundle | undefined;

/**
 * Reads the packages' files once per process (about 1.5 MB, kept in memory): the router and the
 * page share them, and the page names the very files the router serves.
 */
function assetBundle(): AssetBundle {
  if (loadedBundle) return loadedBundle;
  const scripts = [
    asset('react.production.min', JAVASCRIPT, packageFile('react', 'umd/react.production.min.js')),
    asset(
      'react-dom.production.min',
      JAVASCRIPT,
      packageFile('react-dom', 'umd/react-dom.production.min.js'),
    ),
    asset('graphiql.min', JAVASCRIPT, withoutSourceMapComment(packageFile('graphiql', 'graphiql.min.js'))),
    asset('boot', JAVASCRIPT, Buffer.from(bootScript(SANDBOX_EXAMPLES))),
  ];
  const styles = [
    asset('graphiql.min', CSS, packageFile('graphiql', 'graphiql.min.css')),
    asset('page', CSS, Buffer.from(PAGE_CSS)),
  ];
  const icon = asset('favicon', SVG, Buffer.from(FAVICON_SVG));
  loadedBundle = {
    scripts,
    styles,
    icon,
    byRequestPath: new Map([...scripts, ...styles, icon].map((a) => [`/${a.fileName}`, a])),
  };
  return loadedBundle;
}

function asset(stem: string, contentType: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex');
  return {
    fileName: `${stem}.${hash.slice(0, 12)}.${EXTENSIONS[contentType]}`,
    contentType,
    body,
    etag: `"${hash}"`,
  };
}

const requireFromHere = createRequire(import.meta.url);

/**
 * A file of an installed package, found the way Node finds the package (from src under vitest or
 * tsx, from dist after tsc), through its package.json: the packages' `exports` allow that one.
 */
function packageFile(packageName: string, file: string): Buffer {
  const packageJson = requireFromHere.resolve(`${packageName}/package.json`);
  return readFileSync(path.join(path.dirname(packageJson), file));
}

/**
 * GraphiQL's bundle ends with `//# sourceMappingURL=index.umd.js.map`. The 4.7 MB map is not
 * served, so the comment goes: a browser's developer tools would otherwise ask for it and get 404.
 */
function withoutSourceMapComment(script: Buffer): Buffer {
  return Buffer.from(script.toString('utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n'));
}

const PAGE_CSS = `html,
body {
  height: 100%;
  margin: 0;
}
#graphiql {
  height: 100dvh;
}
`;

/**
 * The script that starts GraphiQL: the example tabs are embedded as JSON (a JSON text is a valid
 * JavaScript expression), the endpoint is read from the page.
 */
function bootScript(examples: readonly GraphiQLExample[]): string {
  const defaultTabs = examples.map((example) => ({
    query: example.query,
    variables: example.variables ? JSON.stringify(example.variables, null, 2) : null,
  }));
  return `// Generated by src/graphiql/index.ts: starts GraphiQL in the page's #graphiql element.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({
    url: root.getAttribute('data-endpoint'),
    // The subgraph answers neither @defer nor subscriptions: plain JSON POSTs
    // (Content-Type: application/json, which Apollo's CSRF prevention accepts).
    enableIncrementalDelivery: false,
  });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      // Used when the browser has no tabs of its own stored for this origin yet.
      defaultTabs: ${JSON.stringify(defaultTabs)},
    }),
  );
})();
`;
}
