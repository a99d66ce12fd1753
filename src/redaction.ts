/**
 * Secrets kept out of everything that leaves the process: log lines, error messages, responses.
 */

/** Strings that must never leave the process in a message: credentials and tokens. */
export class SecretRedactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string | undefined | null>) {
    // Longest first, so a secret that contains another is redacted whole.
    this.secrets = [...new Set([...secrets].filter((s): s is string => !!s && s.length >= 4))].sort(
      (a, b) => b.length - a.length,
    );
  }

  add(secret: string | undefined | null): void {
    if (secret && secret.length >= 4 && !this.secrets.includes(secret)) {
      this.secrets.push(secret);
      this.secrets.sort((a, b) => b.length - a.length);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      out = out.split(secret).join('[REDACTED]');
      // The Basic header carries base64 of "user:secret"; a secret may also appear URL-encoded.
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.split(encoded).join('[REDACTED]');
    }
    return out;
  }
}
