import { jest } from '@jest/globals';
import { HealthCheckTimeoutError, withTimeout } from './with-timeout';

describe('withTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers with the probe when it is in time and leaves no timer behind', async () => {
    await expect(withTimeout(Promise.resolve('up'), 1000)).resolves.toBe('up');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('gives up after its timeout with an error naming it', async () => {
    const never = new Promise<string>(() => undefined);
    const answer = withTimeout(never, 1000);
    jest.advanceTimersByTime(999);
    let settled = false;
    void answer.then(
      () => (settled = true),
      () => (settled = true),
    );
    await Promise.resolve();
    expect(settled).toBe(false);
    jest.advanceTimersByTime(1);
    await expect(answer).rejects.toEqual(new HealthCheckTimeoutError(1000));
    await expect(answer).rejects.toThrow('no answer within 1000 ms');
  });

  it('passes a probe failure through', async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), 1000)).rejects.toThrow('refused');
    expect(jest.getTimerCount()).toBe(0);
  });
});
