/**
 * The layer rules of src/ (README "Layout"), checked by `npm test` (`npm run lint:layers`).
 *
 *   main → app → server → inbound, observability, graphiql, resolvers → context → loaders
 *                                                               ↘                    ↓
 *                                     cache (the decorator of providers) ↘      directory
 *                                                                              ↓
 *                                                                        providers
 *   below every layer: models, errors, ids, payload, provider-facts, redaction, env, logger
 *
 * The providers point one way: they know nothing of the cache, the loaders, the server or
 * observability (they report through `providers/observer.ts`), so a provider folder reads on its
 * own. Outside providers/, only the configuration and the composition root see a provider's
 * internals; every other layer knows the provider interface (`providers/types.ts`,
 * `providers/observer.ts`). The bench, the soak, the examples and the tools (`src/dev/`) use the
 * product; the product never uses them.
 */

/** The product's layers above the providers. */
const ABOVE_PROVIDERS =
  '^src/(cache|directory|loaders|resolvers|inbound|observability|graphiql|sandbox|dev)/|^src/(context|server|app|main|cluster|schema|error-formatting|config)[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes neither module readable without the other, and load order matter.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'providers-point-down',
      severity: 'error',
      comment:
        'providers/ is the bottom layer: it imports none of the layers that use it (it reports through providers/observer.ts).',
      from: { path: '^src/providers/' },
      to: { path: ABOVE_PROVIDERS },
    },
    {
      name: 'provider-internals-stay-inside',
      severity: 'error',
      comment:
        'Above providers/, only the configuration (config.ts), the composition root (app.ts) and the sandbox see a provider folder; every other layer uses the provider interface (providers/types.ts, providers/observer.ts).',
      from: { path: '^src/', pathNot: '^src/(providers|sandbox|dev)/|^src/(config|app)[.]ts$' },
      to: { path: '^src/providers/', pathNot: '^src/providers/(types|observer)[.]ts$' },
    },
    {
      name: 'cache-decorates-providers-only',
      severity: 'error',
      comment: 'cache/ wraps providers; it knows nothing of the loaders, resolvers, server or observability.',
      from: { path: '^src/cache/' },
      to: {
        path: '^src/(loaders|resolvers|inbound|observability|graphiql|sandbox|dev)/|^src/(context|server|app|main|cluster|schema)[.]ts$',
      },
    },
    {
      name: 'directory-below-loaders',
      severity: 'error',
      comment:
        'directory/ keeps the index from the provider interface; it knows nothing of the cache, the loaders, GraphQL, the server or observability (it reports through directory/observer.ts), so that the loaders and resolvers can read it.',
      from: { path: '^src/directory/' },
      to: {
        path: '^src/(cache|loaders|resolvers|inbound|observability|graphiql|sandbox|dev)/|^src/(context|server|app|main|cluster|schema|error-formatting|config)[.]ts$|node_modules/(graphql|@apollo/server|@apollo/subgraph|express)/',
      },
    },
    {
      name: 'loaders-below-resolvers',
      severity: 'error',
      comment:
        'loaders/ batches provider reads for one operation; it knows nothing of the cache, the server or GraphQL.',
      from: { path: '^src/loaders/' },
      to: {
        path: '^src/(cache|resolvers|inbound|observability|graphiql|sandbox|dev)/|^src/(context|server|app|main|cluster|schema)[.]ts$',
      },
    },
    {
      name: 'context-without-observability',
      severity: 'error',
      comment: 'The request context is loaders and a caller; what observes requests is wired by the server.',
      from: { path: '^src/context[.]ts$' },
      to: { path: '^src/(observability|inbound|cache)/' },
    },
    {
      name: 'resolvers-through-loaders',
      severity: 'error',
      comment:
        'Resolvers read through the per-request loaders, never a provider, the cache or the server directly.',
      from: { path: '^src/resolvers/' },
      to: {
        path: '^src/(cache|providers|inbound|observability|graphiql|sandbox|dev)/|^src/(server|app|main)[.]ts$',
      },
    },
    {
      name: 'product-without-dev-tools',
      severity: 'error',
      comment:
        'The bench, the soak, the examples and the tools use the product; the product never uses them.',
      from: { path: '^src/', pathNot: '^src/dev/' },
      to: { path: '^src/dev/' },
    },
    {
      name: 'sandbox-only-from-main',
      severity: 'error',
      comment:
        "The sandbox is the demo mode of npm start (main.ts) and the tests' and tools' fake vendors; no other product module depends on it.",
      from: { path: '^src/', pathNot: '^src/(sandbox|dev)/|^src/main[.]ts$' },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'providers-without-graphql',
      severity: 'error',
      comment: 'Providers speak HTTP and return models; GraphQL is the layers above.',
      from: { path: '^src/providers/' },
      to: { path: 'node_modules/(graphql|@apollo/server|@apollo/subgraph)/' },
    },
    {
      name: 'graphql-layers-without-http',
      severity: 'error',
      comment: 'Resolvers and loaders never see the HTTP client or a vendor format.',
      from: { path: '^src/(resolvers|loaders)/|^src/context[.]ts$' },
      to: { path: 'node_modules/(got|xml2js)/' },
    },
    {
      name: 'xml-parsing-in-one-place',
      severity: 'error',
      comment: 'The product parses XML in providers/xml.ts only, where its shapes are normalised.',
      from: { path: '^src/', pathNot: '^src/(sandbox|dev)/|^src/providers/xml[.]ts$' },
      to: { path: 'node_modules/xml2js/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
