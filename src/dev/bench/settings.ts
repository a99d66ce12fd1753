/** Settings shared by the bench's processes. */

/** The longest base URL a sandbox on loopback can have (how many iSpring ids a users/v2 URL holds follows from it). */
export const LONGEST_SANDBOX_BASE_URL = 'http://127.0.0.1:65535';

/** The sandbox's delay per upstream response in the latency phase, ms (the other phases use 0). */
export const DELAY_MS = 20;

/**
 * Cache lifetimes of the warm subgraph (CACHE_TTL_*_SECONDS), long enough to outlive any run. B1
 * gives the same cache hint (`Cache-Control: max-age`) as the warm subgraph, from the same plugin.
 */
export const WARM_TTL_SECONDS = 3600;
