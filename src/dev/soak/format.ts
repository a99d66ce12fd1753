/** Number formats of the soak's report and checks. */

/** One decimal, or `-` for no value (an empty summary, a probe that got no answer). */
export const fmt = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');

/** `+3.1 %` or `−1.2 %` (a minus sign, not a hyphen). */
export const signedPercent = (value: number) =>
  `${value < 0 ? '−' : '+'}${Math.abs(value * 100).toFixed(1)} %`;
