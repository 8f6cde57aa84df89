/** A day of the week as policies write it. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

/**
 * A maintenance window of `auto_approve.windows`: on `days`, from `from` to `to` local time in `timeZone`
 * (an IANA name, so daylight saving time is the zone's). A window whose `to` is not after its `from` ends
 * the next day (22:00 to 06:00); its days are the days it opens on.
 */
export interface MaintenanceWindow {
  readonly days: readonly Weekday[]
  readonly from: string
  readonly to: string
  readonly timeZone: string
  /** 1-based line of the window in the policy file. */
  readonly line: number
}

/** The local weekday and minute of the day of an instant in a time zone. Throws RangeError for an unknown zone. */
function localTime(at: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  const day = WEEKDAYS.indexOf(part('weekday').slice(0, 3).toLowerCase() as Weekday)
  return { day, minute: Number(part('hour')) * 60 + Number(part('minute')) }
}

/** Why a time zone name cannot be used (undefined when the runtime knows it). */
export function describeTimeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return undefined
  } catch {
    return `"${timeZone}" is not an IANA time zone this app knows (e.g. Europe/Berlin, America/New_York, UTC)`
  }
}

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number)
  return (hours ?? 0) * 60 + (minutes ?? 0)
}

/** Whether an instant falls inside the window, by the wall clock of its time zone. */
export function isInsideWindow(window: MaintenanceWindow, at: Date): boolean {
  const { day, minute } = localTime(at, window.timeZone)
  const from = minutesOf(window.from)
  const to = minutesOf(window.to)
  const opensOn = (index: number) => window.days.includes(WEEKDAYS[(index + 7) % 7] as Weekday)
  if (from < to) return opensOn(day) && minute >= from && minute < to
  // Across midnight: opened today, or opened yesterday and not closed yet.
  return (opensOn(day) && minute >= from) || (opensOn(day - 1) && minute < to)
}

/** `mon-fri 22:00-06:00 Europe/Berlin`, for explanations. */
export function describeWindow(window: MaintenanceWindow): string {
  return `${window.days.join(',')} ${window.from}-${window.to} ${window.timeZone}`
}

/** `Tue 23:30 Europe/Berlin`: the local time an instant was judged at. */
export function describeLocalTime(at: Date, timeZone: string): string {
  const { day, minute } = localTime(at, timeZone)
  const name = WEEKDAYS[day] ?? '?'
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} ${pad(Math.floor(minute / 60))}:${pad(minute % 60)} ${timeZone}`
}
