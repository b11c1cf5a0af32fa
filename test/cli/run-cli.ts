import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/parley.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns `node bin/parley.js …` the way a user would, with its own data directory and quiet logs. */
export const runCli = (args: string[], options: { dataDir: string; env?: Record<string, string>; input?: string }): Promise<CliResult> =>
  new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', PARLEY_DATA_DIR: options.dataDir, LOG_LEVEL: 'warn', ...options.env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
