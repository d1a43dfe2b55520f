// Package schedule parses EventBridge schedule expressions — rate(...) and
// cron(...) as PutRule accepts them in ScheduleExpression — and computes
// when they fire. It is a pure library: no clock, no goroutines; the
// scheduler in internal/events asks Next/NextFrom with the injected
// clock's time.
//
// Semantics follow AWS's "Using cron and rate expressions to schedule
// rules in Amazon EventBridge":
//
//   - rate(value unit): value a positive integer; unit minute, minutes,
//     hour, hours, day or days; singular exactly when value is 1
//     (rate(1 hours) and rate(5 hour) are invalid).
//   - cron(Minutes Hours Day-of-month Month Day-of-week Year), always UTC:
//     0-59, 0-23, 1-31, 1-12 or JAN-DEC, 1-7 or SUN-SAT (1 is Sunday),
//     1970-2199. `,` lists, `-` ranges, `*` all, `/` increments (a/n runs
//     from a to the field's maximum, */n from its minimum), `?` "any" in
//     one of the two day fields — exactly one of them must be `?`.
//     Day-of-month: `L` the last day, `nW` the weekday (Mon-Fri) nearest
//     day n without leaving the month (1W on a Saturday is Monday the 3rd;
//     31W on a Sunday the 31st is Friday the 29th). Day-of-week: `L` alone
//     the last day of the week (Saturday), `nL` the last day n of the month
//     (6L the last Friday), `n#k` the k-th day n of the month (3#2 the
//     second Tuesday; a month without a k-th one is skipped). With `#` the
//     field holds that one expression only ("3#1,6#3" is invalid).
//   - Every rejected expression answers ValidationException with AWS's
//     message "Parameter ScheduleExpression is not valid." (Error); the
//     Reason field says what was wrong, for our logs and tests only.
//
// Our decisions where AWS is silent (from Quartz, the syntax's origin,
// unless stated):
//
//   - Names are matched in any case (jan, Mon); the rate unit must be lower
//     case and separated from the value by exactly one space; nothing may
//     precede rate( / cron( or follow the closing parenthesis.
//   - Cron fields may be separated by any run of white space.
//   - A range whose end is below its start wraps round (22-2 hours,
//     FRI-MON).
//   - L, LW, nW, nL and n#k must be the whole field (no "1,L"); LW, the last
//     weekday of the month, is accepted; L-n offsets are refused as
//     unsupported. A step must be between 1 and the field's span.
//   - nW for a day the month lacks (31W in April) does not fire that month.
//   - A rate schedule counts from an anchor, the time its rule was created
//     truncated to the minute (schedules have one-minute precision):
//     NextFrom(anchor, after) returns anchor+k·period for the smallest
//     k ≥ 1 that is after `after` — the first run is one period after
//     creation. Next counts from the Unix epoch (fire times aligned to the
//     period on the UTC clock) for callers without an anchor.
//   - Next works at minute resolution: the first whole minute strictly
//     after `after` that the cron fields allow; zero Time once the year
//     field has no year left (or past 2199).
package schedule
