// Command-line options of the bench tools: whole-number flags with defaults and a help text.
import { parseArgs } from 'node:util';

export interface IntegerOption {
  /** Flag name without the leading dashes, e.g. 'units'. */
  name: string;
  default: number;
  /** Shown in the help text in place of the default, e.g. 'random'. */
  defaultText?: string;
  /** Smallest accepted value. */
  minimum: number;
  help: string;
}

/**
 * Parses `--name N` flags into numbers. Prints the help text and exits 0 on --help, and exits 2
 * with a one-line reason on an unknown flag or a value that is not a whole number.
 */
export function parseIntegerOptions(usage: string, options: readonly IntegerOption[]): Record<string, number> {
  const helpText = [usage, ...options.map((option) => `  --${option.name} N`.padEnd(24) + `${option.help} (default ${option.defaultText ?? option.default})`)].join('\n');

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: Object.fromEntries([['help', { type: 'boolean' }], ...options.map((option) => [option.name, { type: 'string' }])]) as Record<
        string,
        { type: 'string' | 'boolean' }
      >,
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${helpText}`);
  }
  if (values.help === true) {
    console.log(helpText);
    process.exit(0);
  }

  const result: Record<string, number> = {};
  for (const option of options) {
    const text = values[option.name];
    if (typeof text !== 'string') {
      result[option.name] = option.default;
      continue;
    }
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < option.minimum) {
      fail(`--${option.name} must be a whole number of at least ${option.minimum}, got "${text}"`);
    }
    result[option.name] = value;
  }
  return result;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
