import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('PARLEY_ATTACHMENT_MAX_BYTES', () => {
  it('defaults to 25 MB and takes a byte count', () => {
    expect(loadConfig({}).attachmentMaxBytes).toBe(25 * 1024 * 1024);
    expect(loadConfig({ PARLEY_ATTACHMENT_MAX_BYTES: '10485760' }).attachmentMaxBytes).toBe(10 * 1024 * 1024);
  });

  it('stops start-up on a value that is not a byte count in range, naming the variable', () => {
    for (const bad of ['lots', '12.5', '100', String(2 * 1024 * 1024 * 1024)]) {
      let error: unknown = null;
      try {
        loadConfig({ PARLEY_ATTACHMENT_MAX_BYTES: bad });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(/PARLEY_ATTACHMENT_MAX_BYTES/);
    }
  });
});
