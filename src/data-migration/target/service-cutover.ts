import { MigrationError } from '../model/errors';

/**
 * The running service's side of a cut-over, over its admin API (`/admin/cutover/*`): `hold` makes it
 * hold new writes until those in flight are done, `switch` points it at PostgreSQL once the SQLite
 * file is marked moved, `release` gives the cut-over up. The service's watchdog finishes or undoes a
 * held cut-over by itself if these calls stop coming.
 */
export class ServiceCutover {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  hold(): Promise<{ drainedMs: number }> {
    return this.call<{ drainedMs: number }>('hold');
  }

  switch(): Promise<{ heldMs: number }> {
    return this.call<{ heldMs: number }>('switch');
  }

  async release(): Promise<void> {
    await this.call('release').catch(() => undefined);
  }

  private async call<T>(step: string): Promise<T> {
    const url = new URL(
      `admin/cutover/${step}`,
      this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`,
    );
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new MigrationError(
        `the service at ${this.baseUrl} did not answer the cut-over's ${step}: ${(error as Error).message}`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as T & { message?: string | string[] };
    if (!response.ok) {
      const message = Array.isArray(body.message)
        ? body.message.join('; ')
        : (body.message ?? response.statusText);
      throw new MigrationError(
        `the service at ${this.baseUrl} refused the cut-over's ${step} (${response.status}): ${message}`,
      );
    }
    return body;
  }
}
