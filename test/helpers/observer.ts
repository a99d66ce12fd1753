import type {
  PayloadIssuesEvent,
  ProviderNotice,
  UpstreamObserver,
  UpstreamRequestEvent,
} from '../../src/providers/observer.ts';

/** An `UpstreamObserver` that keeps what it hears, for tests to read. */
export function recordingObserver(): {
  observer: UpstreamObserver;
  requests: UpstreamRequestEvent[];
  payloadIssues: PayloadIssuesEvent[];
  notices: ProviderNotice[];
} {
  const requests: UpstreamRequestEvent[] = [];
  const payloadIssues: PayloadIssuesEvent[] = [];
  const notices: ProviderNotice[] = [];
  return {
    observer: {
      request: (event) => requests.push(event),
      breakerTransition: () => {},
      payloadIssues: (event) => payloadIssues.push(event),
      notice: (notice) => notices.push(notice),
    },
    requests,
    payloadIssues,
    notices,
  };
}
