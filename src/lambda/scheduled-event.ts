/**
 * The input the stack gives the EventBridge Scheduler schedule of the sweep function (Scheduler sends a
 * target's `Input` verbatim, with its context attributes filled in). `deploy/` uses this very object.
 */
export const SCHEDULED_SWEEP_INPUT = {
  jit: 'sweep',
  scheduleArn: '<aws.scheduler.schedule-arn>',
  scheduledTime: '<aws.scheduler.scheduled-time>',
  executionId: '<aws.scheduler.execution-id>',
  attemptNumber: '<aws.scheduler.attempt-number>',
} as const

/** One scheduled invocation, from an EventBridge Scheduler schedule or an EventBridge rule's "Scheduled Event". */
export interface ScheduledSweep {
  readonly source: 'scheduler' | 'rule'
  readonly scheduledTime: string
  readonly executionId: string | undefined
}

export class ScheduledEventError extends Error {
  override readonly name = 'ScheduledEventError'
}

/** Reads the scheduled event; any other event is refused, so a misrouted invocation sweeps nothing. */
export function readScheduledEvent(event: unknown): ScheduledSweep {
  const candidate = (event ?? {}) as Record<string, unknown>
  if (candidate['jit'] === 'sweep') {
    const time = candidate['scheduledTime']
    if (typeof time !== 'string' || Number.isNaN(Date.parse(time)))
      throw new ScheduledEventError(`the schedule's input has no scheduledTime (got ${JSON.stringify(time)})`)
    const executionId = typeof candidate['executionId'] === 'string' ? candidate['executionId'] : undefined
    return { source: 'scheduler', scheduledTime: time, executionId }
  }
  if (candidate['detail-type'] === 'Scheduled Event' && candidate['source'] === 'aws.events' && typeof candidate['time'] === 'string')
    return {
      source: 'rule',
      scheduledTime: candidate['time'],
      executionId: typeof candidate['id'] === 'string' ? candidate['id'] : undefined,
    }
  throw new ScheduledEventError('not a scheduled sweep: expected the schedule input {"jit":"sweep",…} or an EventBridge "Scheduled Event"')
}
