import type { ProviderError } from '../errors.js';
import type { ProviderName } from '../models.js';

/** What the directory reports as it syncs (logs and metrics, `observability/telemetry.ts`). */
export interface DirectoryObserver {
  /** A full sync or a poll finished and was applied. */
  synced(event: {
    readonly provider: ProviderName;
    readonly kind: SyncKind;
    readonly durationMs: number;
    /** Upstream list pages read (users pages, and the department and group lists). */
    readonly pages: number;
    /** Users, departments and groups added, changed or removed in the index. */
    readonly changes: number;
    readonly users: number;
  }): void;
  /** A full sync or a poll could not be read whole: nothing of it was applied. */
  syncFailed(event: {
    readonly provider: ProviderName;
    readonly kind: SyncKind;
    readonly error: Error;
  }): void;
  /** A full sync was read whole but refused (it would remove more than half of the users). */
  syncRefused(event: {
    readonly provider: ProviderName;
    readonly usersBefore: number;
    readonly usersAfter: number;
  }): void;
  /** Polling stopped for good: the provider ignores `updatedSince`. */
  pollingStopped(event: { readonly provider: ProviderName; readonly reason: string }): void;
  /** A webhook delivery, by outcome (`accepted`, `bad_signature`, `malformed`, `ignored`, `confirmation`). */
  webhook(event: {
    readonly provider: ProviderName;
    readonly outcome: WebhookOutcome;
    readonly users: number;
  }): void;
  /** Re-reading the users a delivery named failed; the next full sync catches the change. */
  changeFailed(event: { readonly provider: ProviderName; readonly error: ProviderError | Error }): void;
  /**
   * The directory shared through Redis (`replica.ts`): this process took the lease, or lost it;
   * Redis went away, or came back; a snapshot was loaded; a write of a former holder was refused.
   */
  replicaEvent(event: { readonly event: ReplicaEvent; readonly detail: string }): void;
}

export type ReplicaEvent = 'leader' | 'follower' | 'redis_down' | 'redis_up' | 'snapshot' | 'fenced';

export type SyncKind = 'full' | 'poll' | 'change';

export type WebhookOutcome = 'accepted' | 'bad_signature' | 'malformed' | 'ignored' | 'confirmation';

export const SILENT_DIRECTORY_OBSERVER: DirectoryObserver = {
  synced: () => {},
  syncFailed: () => {},
  syncRefused: () => {},
  pollingStopped: () => {},
  webhook: () => {},
  changeFailed: () => {},
  replicaEvent: () => {},
};
