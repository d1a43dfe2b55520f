package alarmrule

// State is an alarm state as a rule sees it. The caller maps its alarms'
// StateValue to it.
type State uint8

const (
	// StateUnknown stands for an alarm the caller could not resolve (it does
	// not exist, or is in another account or Region). Every state function
	// of it is false: ALARM(x), OK(x) and INSUFFICIENT_DATA(x) are all false,
	// so NOT ALARM(x) is true. It is the zero value so that a forgotten
	// mapping never reads as a real state.
	StateUnknown State = iota
	StateOK
	StateAlarm
	StateInsufficientData
)

// String returns CloudWatch's spelling of the state (StateValue), or
// "UNKNOWN".
func (s State) String() string {
	switch s {
	case StateOK:
		return "OK"
	case StateAlarm:
		return "ALARM"
	case StateInsufficientData:
		return "INSUFFICIENT_DATA"
	}
	return "UNKNOWN"
}

// ParseState maps a CloudWatch StateValue ("OK", "ALARM",
// "INSUFFICIENT_DATA") to a State; ok is false for anything else.
func ParseState(s string) (st State, ok bool) {
	switch s {
	case "OK":
		return StateOK, true
	case "ALARM":
		return StateAlarm, true
	case "INSUFFICIENT_DATA":
		return StateInsufficientData, true
	}
	return StateUnknown, false
}
