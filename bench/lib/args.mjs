// Command-line arguments of the benchmarks: `[N] [--runs R] [--name value | --flag]…`.

/** `[N] [--runs R] [--name value | --flag]…` from argv: positional N with a default, named options. */
export function benchArgs(argv, defaults) {
  const positional = [];
  const named = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) positional.push(arg);
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) named[arg.slice(2)] = argv[++i];
    else named[arg.slice(2)] = 'true';
  }
  return { n: Number(positional[0] ?? defaults.n), runs: Number(named.runs ?? defaults.runs ?? 1), named, positional };
}
