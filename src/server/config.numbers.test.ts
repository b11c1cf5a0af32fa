import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('whole-number settings', () => {
  it('reads decimal digits, and an empty value as unset', () => {
    expect(loadConfig({ PORT: '9090' }).port).toBe(9090);
    expect(loadConfig({ PORT: ' 9091 ' }).port).toBe(9091);
    // Empty is unset (the default), not 0, which would listen on a port chosen at random.
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
    expect(loadConfig({ PORT: '' }).publicUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ PARLEY_WORKER_BATCH: '' }).workerBatch).toBe(2000);
    expect(loadConfig({ PARLEY_ATTACHMENT_MAX_BYTES: '' }).attachmentMaxBytes).toBe(25 * 1024 * 1024);
  });

  it('says what a bad value should be, naming the variable, for every bad one at once', () => {
    expect(problemsOf({ PORT: 'abc', PARLEY_WORKER_BATCH: '2.5', PARLEY_ATTACHMENT_MAX_BYTES: '-5' })).toEqual([
      'PORT: must be a whole number from 0 to 65535',
      'PARLEY_WORKER_BATCH: must be a whole number from 1 to 5000',
      'PARLEY_ATTACHMENT_MAX_BYTES: must be a whole number from 1024 to 1073741824',
    ]);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: must be a whole number from 0 to 65535']);
    expect(problemsOf({ PORT: '1e3' })).toEqual(['PORT: must be a whole number from 0 to 65535']);
    expect(problemsOf({ PARLEY_ATTACHMENT_MAX_BYTES: '100' })).toEqual(['PARLEY_ATTACHMENT_MAX_BYTES: must be at least 1024']);
  });
});
