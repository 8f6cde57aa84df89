import { auditCommand } from './audit-command.js'
import { checkCommand } from './check-command.js'
import type { CliCommand } from './cli-io.js'
import { createDoctorCommand, type DoctorCommandDependencies } from './doctor-command.js'
import { createSweepCommands, type SweepCommandDependencies } from './sweep-command.js'
import { validateCommand } from './validate-command.js'

/**
 * Every `jit` command, in the order the usage text lists them: the offline ones (check, validate),
 * then the ones that act on GitHub and AWS (sweep, revoke), then the installation's check (doctor). Tests pass their own GitHub and AWS.
 */
export function createJitCommands(deps: SweepCommandDependencies & DoctorCommandDependencies = {}): readonly CliCommand[] {
  return [checkCommand, validateCommand, ...createSweepCommands(deps), createDoctorCommand(deps), auditCommand]
}
