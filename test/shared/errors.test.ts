import { describe, expect, it } from 'vitest';
import { ImeshError, errorCode, errorRetryable, isRetryable } from '../../src/shared/errors.js';

/** What a connector package's own copy of the SDK throws: the same shape, another class. */
class ForeignImeshError extends Error {
  constructor(readonly code: string, message: string, readonly retryable: boolean) {
    super(message);
  }
}

describe('error code and retry semantics by shape', () => {
  it('reads code and retryable from an ImeshError', () => {
    const error = new ImeshError('RateLimited', 'slow down', { retryable: true });
    expect(errorCode(error, 'ExportFailed')).toBe('RateLimited');
    expect(errorRetryable(error, false)).toBe(true);
    expect(isRetryable(error)).toBe(true);
  });

  it("honours a second SDK copy's error: a non-retryable failure is not taken for a retryable one", () => {
    const error = new ForeignImeshError('Forbidden', 'no write access', false);
    expect(error instanceof ImeshError).toBe(false);
    expect(errorCode(error, 'ExportFailed')).toBe('Forbidden');
    expect(errorRetryable(error, true)).toBe(false);
  });

  it("falls back for errors that say nothing, including a Node system error's code", () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(errorCode(reset, 'ExportFailed')).toBe('ExportFailed');
    expect(errorRetryable(reset, true)).toBe(true);
    expect(errorCode('boom', 'CheckFailed')).toBe('CheckFailed');
    expect(isRetryable(null)).toBe(false);
  });
});
