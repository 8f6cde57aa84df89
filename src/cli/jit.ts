import { EXIT, UsageError, type CliCommand, type CliIo } from './cli-io.js'

function usage(commands: readonly CliCommand[]): string {
  return `usage:\n${commands.map((command) => `  ${command.usage}`).join('\n')}\n`
}

/**
 * The `jit` command line over the given commands (the usage text lists them in this order). Returns
 * the exit code; never throws for user mistakes.
 */
export async function main(argv: readonly string[], io: CliIo, commands: readonly CliCommand[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage(commands))
    return name ? EXIT.ok : EXIT.invalid
  }
  const command = commands.find((candidate) => candidate.name === name)
  if (!command) {
    io.stderr.write(`jit: unknown command "${name}"\n${usage(commands)}`)
    return EXIT.invalid
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`jit ${name}: ${(error as Error).message}\n`)
      return EXIT.invalid
    }
    io.stderr.write(`jit ${name}: internal error (this is a bug, please report it): ${(error as Error).stack ?? String(error)}\n`)
    return EXIT.bug
  }
}
