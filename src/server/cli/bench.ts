import type { Command } from 'commander';

export const registerBenchCommand = (program: Command): void => {
  program
    .command('bench')
    .description('run the benchmarks in bench/*.bench.ts and report named figures')
    .option('--json', 'print one JSON object of all figures on stdout (progress on stderr)')
    .option('--only <keys>', 'run only modules reporting these comma-separated keys')
    .option('--list', 'list the modules and their keys')
    .action(async (opts: { json?: boolean; only?: string; list?: boolean }) => {
      const argv = [...(opts.json ? ['--json'] : []), ...(opts.only ? ['--only', opts.only] : []), ...(opts.list ? ['--list'] : [])];
      // Loaded on demand: the benchmark runner and its modules are heavy and only this command needs them.
      const { runBench } = await import('../../../bench/index.js');
      await runBench(argv);
    });
};
