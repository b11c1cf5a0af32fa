import path from 'node:path';
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

describe('settings read from the environment', () => {
  it('reads decimal digits, and an empty value as unset', () => {
    expect(loadConfig({ PORT: '9090' }).port).toBe(9090);
    expect(loadConfig({ PORT: ' 9091 ' }).port).toBe(9091);
    // Empty is unset (the default), not 0, which would listen on a port chosen at random.
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
    expect(loadConfig({ PORT: '' }).publicUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ PARLEY_WORKER_BATCH: '' }).workerBatch).toBe(2000);
    expect(loadConfig({ PARLEY_ATTACHMENT_MAX_BYTES: '' }).attachmentMaxBytes).toBe(25 * 1024 * 1024);
  });

  it('reads every other setting left empty as unset too: its default, as docker-compose and .env files leave them', () => {
    const config = loadConfig({ HOST: '', PARLEY_DATA_DIR: ' ', LOG_LEVEL: '', PARLEY_SQLITE_SYNC: '', PARLEY_CLASSIFIER_THREAD: '', DATABASE_URL: '' });
    expect(config).toMatchObject({ host: '127.0.0.1', logLevel: 'info', sqliteSynchronous: 'NORMAL', classifierThread: true, databaseUrl: null });
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(loadConfig({ LOG_LEVEL: ' debug ', PARLEY_CLASSIFIER_THREAD: 'off' })).toMatchObject({ logLevel: 'debug', classifierThread: false });
    expect(problemsOf({ LOG_LEVEL: 'loud', PARLEY_CLASSIFIER_THREAD: 'yes' })).toEqual([
      "LOG_LEVEL: must be one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'",
      "PARLEY_CLASSIFIER_THREAD: must be one of 'on', 'off'",
    ]);
  });

  it('says what a bad value should be, naming the variable, for every bad one at once', () => {
    expect(problemsOf({ PORT: 'abc', PARLEY_WORKER_BATCH: '2.5', PARLEY_ATTACHMENT_MAX_BYTES: '-5' })).toEqual([
      'PORT: must be a whole number from 0 to 65535',
      'PARLEY_WORKER_BATCH: must be a whole number from 1 to 5000',
      'PARLEY_ATTACHMENT_MAX_BYTES: must be a whole number from 1024 to 1073741824',
    ]);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: must be a whole number from 0 to 65535']);
    expect(problemsOf({ PORT: '1e3' })).toEqual(['PORT: must be a whole number from 0 to 65535']);
    expect(problemsOf({ PARLEY_ATTACHMENT_MAX_BYTES: '100' })).toEqual(['PARLEY_ATTACHMENT_MAX_BYTES: must be a whole number from 1024 to 1073741824']);
  });
});
