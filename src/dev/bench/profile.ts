import { readFileSync } from 'node:fs';

/**
 * Where the subgraph's CPU goes: a V8 `.cpuprofile` (`node --cpu-prof`) with each sample's self
 * time attributed to a bucket by the sampled function's script URL and name.
 */

export const BUCKETS = [
  'HTTP client (got, node:http/net/tls/stream internals)',
  'XML parsing (xml2js, sax)',
  'GraphQL execution (graphql, @apollo)',
  'JSON (parse, stringify)',
  'our code (dist/…, dataloader)',
  'HTTP server (express, node:_http_server)',
  'GC',
  'other (V8 program, node internals, other packages)',
  'idle',
] as const;

export type Bucket = (typeof BUCKETS)[number];

const [HTTP_CLIENT, XML, GRAPHQL, JSON_BUCKET, OURS, HTTP_SERVER, GC, OTHER, IDLE] = BUCKETS;

const GOT_PACKAGES = new Set([
  'got',
  '@sindresorhus/is',
  'byte-counter',
  'cacheable-lookup',
  'cacheable-request',
  'decompress-response',
  'form-data-encoder',
  'http2-wrapper',
  'keyv',
  'lowercase-keys',
  'p-cancelable',
  'responselike',
  'type-fest',
  '@szmarczak/http-timer',
  'defer-to-connect',
  'mimic-response',
  'normalize-url',
  'get-stream',
  'quick-lru',
  'resolve-alpn',
  '@sec-ant/readable-stream',
]);
const XML_PACKAGES = new Set(['xml2js', 'sax', 'xmlbuilder']);
const OUR_PACKAGES = new Set(['dataloader']);
const SERVER_PACKAGES = new Set([
  'express',
  'router',
  'body-parser',
  'raw-body',
  'type-is',
  'content-type',
  'media-typer',
  'mime-types',
  'on-finished',
  'finalhandler',
  'parseurl',
  'iconv-lite',
  'http-errors',
  'depd',
  'debug',
  'accepts',
  'negotiator',
  'send',
  'qs',
  'cors',
  'vary',
  'etag',
  'fresh',
  'statuses',
  'path-to-regexp',
  '@as-integrations/express5',
]);

/** The package a node_modules URL belongs to (the last node_modules segment wins). */
function packageOf(url: string): string | undefined {
  const index = url.lastIndexOf('/node_modules/');
  if (index === -1) return undefined;
  const [first, second] = url.slice(index + '/node_modules/'.length).split('/');
  if (!first) return undefined;
  return first.startsWith('@') && second ? `${first}/${second}` : first;
}

const NODE_HTTP_CLIENT =
  /^node:(_http_client|_http_agent|_http_common|_http_incoming|_http_outgoing|http|https|net|tls|_tls_wrap|_tls_common|dns|stream|internal\/(streams\/|stream_base_commons|net|http|dns|tls|url))/;

export function bucketOf(url: string, functionName: string): { bucket: Bucket; label: string } {
  if (functionName === '(garbage collector)') return { bucket: GC, label: 'V8 GC' };
  if (functionName === '(idle)') return { bucket: IDLE, label: '(idle)' };
  if (url === '') {
    if (/^(parse|stringify|JSONParse|JSONStringify)$/.test(functionName))
      return { bucket: JSON_BUCKET, label: `builtin ${functionName}` };
    return { bucket: OTHER, label: functionName || '(anonymous native)' };
  }
  const pkg = packageOf(url);
  if (pkg !== undefined) {
    if (GOT_PACKAGES.has(pkg)) return { bucket: HTTP_CLIENT, label: pkg };
    if (XML_PACKAGES.has(pkg)) return { bucket: XML, label: pkg };
    if (pkg === 'graphql' || pkg.startsWith('@apollo/') || pkg.startsWith('@graphql-tools/'))
      return { bucket: GRAPHQL, label: pkg };
    if (OUR_PACKAGES.has(pkg)) return { bucket: OURS, label: pkg };
    if (SERVER_PACKAGES.has(pkg)) return { bucket: HTTP_SERVER, label: pkg };
    return { bucket: OTHER, label: pkg };
  }
  if (url.startsWith('node:')) {
    if (url === 'node:_http_server') return { bucket: HTTP_SERVER, label: url };
    if (NODE_HTTP_CLIENT.test(url)) return { bucket: HTTP_CLIENT, label: url };
    return { bucket: OTHER, label: url };
  }
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return { bucket: OURS, label: url.slice(dist + 1) };
  return { bucket: OTHER, label: url };
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber?: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSplit {
  /** Self time per bucket, ms (over the window). */
  readonly bucketsMs: Record<Bucket, number>;
  /** Share of the non-idle time, per bucket (idle excluded). */
  readonly shares: Record<Bucket, number>;
  readonly busyMs: number;
  readonly windowMs: number;
  /** True when samples were restricted to the load run's time window. */
  readonly windowed: boolean;
  /** The biggest contributors (package or script), ms. */
  readonly top: ReadonlyArray<{ readonly bucket: Bucket; readonly label: string; readonly ms: number }>;
  /** The biggest functions by self time (`name label:line`), ms. */
  readonly topFunctions: ReadonlyArray<{ readonly bucket: Bucket; readonly fn: string; readonly ms: number }>;
}

/**
 * Splits a profile. `window` (µs on the monotonic clock that both `process.hrtime` and V8's
 * profiler use) keeps only the samples taken during the load run; without it, or if the window
 * holds no sample, the whole profile is used.
 */
export function splitProfile(path: string, window?: { startUs: number; endUs: number }): ProfileSplit {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const attribution = new Map<number, { bucket: Bucket; label: string }>();
  const classify = (id: number) => {
    let found = attribution.get(id);
    if (!found) {
      const frame = byId.get(id)?.callFrame ?? { url: '', functionName: '(unknown)' };
      found = bucketOf(frame.url, frame.functionName);
      attribution.set(id, found);
    }
    return found;
  };

  const collect = (useWindow: boolean) => {
    const bucketsUs = Object.fromEntries(BUCKETS.map((bucket) => [bucket, 0])) as Record<Bucket, number>;
    const labels = new Map<string, { bucket: Bucket; label: string; us: number }>();
    const functions = new Map<string, { bucket: Bucket; fn: string; us: number }>();
    let timestamp = profile.startTime;
    let total = 0;
    for (let i = 0; i < profile.samples.length; i += 1) {
      timestamp += profile.timeDeltas[i] ?? 0;
      // A sample stands for the time until the next one (as DevTools counts it).
      const self = profile.timeDeltas[i + 1] ?? 0;
      if (useWindow && window && (timestamp < window.startUs || timestamp > window.endUs)) continue;
      const { bucket, label } = classify(profile.samples[i]!);
      bucketsUs[bucket] += self;
      total += self;
      const key = `${bucket}|${label}`;
      const entry = labels.get(key) ?? { bucket, label, us: 0 };
      entry.us += self;
      labels.set(key, entry);
      const frame = byId.get(profile.samples[i]!)?.callFrame;
      const fn = `${frame?.functionName || '(anonymous)'} ${label}${frame?.lineNumber !== undefined && frame.url ? `:${frame.lineNumber + 1}` : ''}`;
      const fnEntry = functions.get(fn) ?? { bucket, fn, us: 0 };
      fnEntry.us += self;
      functions.set(fn, fnEntry);
    }
    return { bucketsUs, labels, functions, total };
  };

  let windowed = window !== undefined;
  let collected = collect(windowed);
  if (collected.total === 0) {
    windowed = false;
    collected = collect(false);
  }
  const { bucketsUs, labels, functions, total } = collected;
  const busyUs = total - bucketsUs[IDLE];
  const bucketsMs = Object.fromEntries(BUCKETS.map((bucket) => [bucket, bucketsUs[bucket] / 1000])) as Record<
    Bucket,
    number
  >;
  const shares = Object.fromEntries(
    BUCKETS.map((bucket) => [bucket, bucket === IDLE || busyUs === 0 ? 0 : bucketsUs[bucket] / busyUs]),
  ) as Record<Bucket, number>;
  const top = [...labels.values()]
    .filter((entry) => entry.bucket !== IDLE)
    .sort((a, b) => b.us - a.us)
    .slice(0, 15)
    .map((entry) => ({ bucket: entry.bucket, label: entry.label, ms: entry.us / 1000 }));
  const topFunctions = [...functions.values()]
    .filter((entry) => entry.bucket !== IDLE)
    .sort((a, b) => b.us - a.us)
    .slice(0, 25)
    .map((entry) => ({ bucket: entry.bucket, fn: entry.fn, ms: entry.us / 1000 }));
  return { bucketsMs, shares, busyMs: busyUs / 1000, windowMs: total / 1000, windowed, top, topFunctions };
}
