package alarms

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/reqctx"
)

func partitionOf(ctx context.Context) partition {
	r := reqctx.From(ctx)
	return partition{account: r.Caller.AccountID, region: r.Region}
}

const (
	initialReason      = "Unchecked: Initial alarm creation"
	maxNamesPerRequest = 100
	maxTags            = 50
)

// checkName: AWS allows any UTF-8 name without ASCII control characters.
func checkName(name string) error {
	if strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return invalidValue("The value for parameter AlarmName contains ASCII control characters.")
	}
	return nil
}

// PutMetricAlarm creates an alarm in INSUFFICIENT_DATA, evaluated at once,
// or replaces an existing alarm's configuration keeping its state (tags
// given on update are ignored, as AWS documents).
func (s *Service) PutMetricAlarm(ctx context.Context, in *cwapi.PutMetricAlarmInput) error {
	name := shape.Value(in.AlarmName)
	if err := checkName(name); err != nil {
		return err
	}
	pl, err := compilePlan(in)
	if err != nil {
		return err
	}
	for i, q := range in.Metrics {
		if q.AccountId != nil && *q.AccountId != partitionOf(ctx).account {
			return invalidValue("The value %s for parameter Metrics.member.%d.AccountId is invalid: cross-account alarms are not supported by Vigil (accounts are isolated).", *q.AccountId, i+1)
		}
	}
	if err := checkTags(in.Tags); err != nil {
		return err
	}
	cfg := *in
	cfg.Tags = nil
	a := &alarm{p: partitionOf(ctx), name: name, kind: kindMetric, metric: &cfg, plan: pl}
	return s.store(ctx, a, in.ActionsEnabled, in.Tags)
}

// store creates or updates a and records the ConfigurationUpdate.
func (s *Service) store(ctx context.Context, a *alarm, actionsEnabled *bool, tags []cwapi.Tag) error {
	now := reqctx.From(ctx).Time
	a.arn = alarmARN(a.p, a.name)
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.get(a.p, a.name)
	kind := "Create"
	if old != nil {
		if old.kind != a.kind {
			return invalidValue("An alarm named %s already exists as a %s; it cannot be replaced by a %s.", a.name, old.kind, a.kind)
		}
		kind = "Update"
		a.state, a.tags = old.state, old.tags
	} else {
		a.state = alarmState{Value: StateInsufficientData, Reason: initialReason, Updated: now, Transitioned: now}
		a.tags = tagMap(tags)
	}
	a.state.ConfigUpdated = now
	a.state.LastCycle = time.Time{} // evaluated at once with the new configuration
	a.state.ActionsEnabled = actionsEnabled == nil || *actionsEnabled
	if a.kind == kindComposite {
		if err := s.checkComposite(a); err != nil {
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put alarm: %w", err)
	}
	defer tx.Rollback()
	if err := saveAlarm(ctx, tx, a); err != nil {
		return err
	}
	if err := addHistory(ctx, tx, a, now, historyConfigurationUpdate, fmt.Sprintf("Alarm %q %sd", a.name, strings.ToLower(kind)),
		configHistoryData(kind, s.describe(a))); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put alarm: %w", err)
	}
	s.put(a)
	return nil
}

func tagMap(tags []cwapi.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[shape.Value(t.Key)] = shape.Value(t.Value)
	}
	return m
}

func checkTags(tags []cwapi.Tag) error {
	if len(tags) > maxTags {
		return invalidValue("The collection Tags must not have a size greater than %d.", maxTags)
	}
	for _, t := range tags {
		if strings.HasPrefix(shape.Value(t.Key), "aws:") {
			return invalidValue("Tag keys beginning with aws: are reserved.")
		}
	}
	return nil
}

// DeleteAlarms deletes alarms by name; when any name is unknown nothing is
// deleted ("If you specify an incorrect alarm name … no alarms are
// deleted").
func (s *Service) DeleteAlarms(ctx context.Context, in *cwapi.DeleteAlarmsInput) error {
	if len(in.AlarmNames) > maxNamesPerRequest {
		return invalidValue("The collection AlarmNames must not have a size greater than %d.", maxNamesPerRequest)
	}
	p := partitionOf(ctx)
	now := reqctx.From(ctx).Time
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*alarm
	for _, name := range in.AlarmNames {
		a := s.get(p, name)
		if a == nil {
			return alarmNotFound(name)
		}
		if cycle := s.onCycle(a); cycle != nil {
			return validationError(fmt.Sprintf("The alarm %s is part of a cycle of composite alarms (%s); change the rule of one of them to break the cycle before deleting it.",
				name, strings.Join(cycle, " -> ")))
		}
		list = append(list, a)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete alarms: %w", err)
	}
	defer tx.Rollback()
	for _, a := range list {
		if err := deleteAlarm(ctx, tx, a); err != nil {
			return err
		}
		if err := addHistory(ctx, tx, a, now, historyConfigurationUpdate, fmt.Sprintf("Alarm %q deleted", a.name),
			configHistoryData("Delete", s.describe(a))); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete alarms: %w", err)
	}
	for _, a := range list {
		delete(s.alarms[p], a.name)
	}
	return nil
}

// SetAlarmState sets a state until the next evaluation; the transition
// runs the new state's actions as any other.
func (s *Service) SetAlarmState(ctx context.Context, in *cwapi.SetAlarmStateInput) error {
	if data := shape.Value(in.StateReasonData); data != "" && !json.Valid([]byte(data)) {
		return &cwapi.InvalidFormatFault{Message: shape.Ptr("StateReasonData must be valid JSON.")}
	}
	value := State(shape.Value(in.StateValue))
	s.mu.RLock()
	a := s.get(partitionOf(ctx), shape.Value(in.AlarmName))
	s.mu.RUnlock()
	if a == nil {
		return alarmNotFound(shape.Value(in.AlarmName))
	}
	o := outcome{a: a, value: value, reason: shape.Value(in.StateReason), reasonData: shape.Value(in.StateReasonData)}
	s.mu.RLock()
	o.cycle = a.state.LastCycle // the next cycle re-evaluates
	s.mu.RUnlock()
	return s.apply(ctx, []outcome{o}, time.Time{})
}

func (s *Service) EnableAlarmActions(ctx context.Context, in *cwapi.EnableAlarmActionsInput) error {
	return s.setActionsEnabled(ctx, in.AlarmNames, true)
}

func (s *Service) DisableAlarmActions(ctx context.Context, in *cwapi.DisableAlarmActionsInput) error {
	return s.setActionsEnabled(ctx, in.AlarmNames, false)
}

// setActionsEnabled changes ActionsEnabled; unknown names are skipped, as
// AWS answers these calls without an error for them.
func (s *Service) setActionsEnabled(ctx context.Context, names []string, on bool) error {
	if len(names) > maxNamesPerRequest {
		return invalidValue("The collection AlarmNames must not have a size greater than %d.", maxNamesPerRequest)
	}
	p := partitionOf(ctx)
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("alarm actions: %w", err)
	}
	defer tx.Rollback()
	var changed []*alarm
	for _, name := range names {
		a := s.get(p, name)
		if a == nil || a.state.ActionsEnabled == on {
			continue
		}
		st := a.state
		st.ActionsEnabled = on
		if err := saveState(ctx, tx, a, &st); err != nil {
			return err
		}
		changed = append(changed, a)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("alarm actions: %w", err)
	}
	for _, a := range changed {
		a.state.ActionsEnabled = on
	}
	return nil
}

// describe renders an alarm as DescribeAlarms does: a *cwapi.MetricAlarm
// or *cwapi.CompositeAlarm. Callers hold mu.
func (s *Service) describe(a *alarm) any {
	st := &a.state
	if a.kind == kindComposite {
		c := a.composite
		out := &cwapi.CompositeAlarm{
			AlarmName: shape.Ptr(a.name), AlarmArn: shape.Ptr(a.arn), AlarmDescription: c.AlarmDescription, AlarmRule: c.AlarmRule,
			ActionsEnabled: shape.Ptr(st.ActionsEnabled), AlarmActions: nonNil(c.AlarmActions), OKActions: nonNil(c.OKActions),
			InsufficientDataActions: nonNil(c.InsufficientDataActions), AlarmConfigurationUpdatedTimestamp: shape.Ptr(st.ConfigUpdated),
			StateValue: shape.Ptr(string(st.Value)), StateReason: shape.Ptr(st.Reason), StateUpdatedTimestamp: shape.Ptr(st.Updated),
			StateTransitionedTimestamp: shape.Ptr(st.Transitioned),
			ActionsSuppressor:          c.ActionsSuppressor, ActionsSuppressorWaitPeriod: c.ActionsSuppressorWaitPeriod,
			ActionsSuppressorExtensionPeriod: c.ActionsSuppressorExtensionPeriod,
		}
		if st.ReasonData != "" {
			out.StateReasonData = shape.Ptr(st.ReasonData)
		}
		if st.SuppressedBy != "" {
			out.ActionsSuppressedBy, out.ActionsSuppressedReason = shape.Ptr(st.SuppressedBy), shape.Ptr(st.SuppressedReason)
		}
		return out
	}
	m := a.metric
	out := &cwapi.MetricAlarm{
		AlarmName: shape.Ptr(a.name), AlarmArn: shape.Ptr(a.arn), AlarmDescription: m.AlarmDescription,
		AlarmConfigurationUpdatedTimestamp: shape.Ptr(st.ConfigUpdated), ActionsEnabled: shape.Ptr(st.ActionsEnabled),
		OKActions: nonNil(m.OKActions), AlarmActions: nonNil(m.AlarmActions), InsufficientDataActions: nonNil(m.InsufficientDataActions),
		StateValue: shape.Ptr(string(st.Value)), StateReason: shape.Ptr(st.Reason), StateUpdatedTimestamp: shape.Ptr(st.Updated),
		StateTransitionedTimestamp: shape.Ptr(st.Transitioned),
		MetricName:                 m.MetricName, Namespace: m.Namespace, Statistic: m.Statistic, ExtendedStatistic: m.ExtendedStatistic,
		Dimensions: m.Dimensions, Period: m.Period, Unit: m.Unit, EvaluationPeriods: m.EvaluationPeriods,
		DatapointsToAlarm: m.DatapointsToAlarm, Threshold: m.Threshold, ComparisonOperator: m.ComparisonOperator,
		TreatMissingData: m.TreatMissingData, EvaluateLowSampleCountPercentile: m.EvaluateLowSampleCountPercentile,
		Metrics: m.Metrics, ThresholdMetricId: m.ThresholdMetricId,
	}
	if out.Dimensions == nil && len(m.Metrics) == 0 {
		out.Dimensions = []cwapi.Dimension{}
	}
	if st.ReasonData != "" {
		out.StateReasonData = shape.Ptr(st.ReasonData)
	}
	return out
}

// DescribeAlarms lists alarms by name order, 50 a page unless MaxRecords
// says otherwise (≤ 100); only metric alarms unless AlarmTypes asks.
func (s *Service) DescribeAlarms(ctx context.Context, in *cwapi.DescribeAlarmsInput) (*cwapi.DescribeAlarmsOutput, error) {
	if len(in.AlarmNames) > maxNamesPerRequest {
		return nil, invalidValue("The collection AlarmNames must not have a size greater than %d.", maxNamesPerRequest)
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != nil {
		return nil, invalidCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.")
	}
	related := in.ChildrenOfAlarmName != nil || in.ParentsOfAlarmName != nil
	if related && (len(in.AlarmNames) > 0 || in.AlarmNamePrefix != nil || len(in.AlarmTypes) > 0 || in.StateValue != nil || in.ActionPrefix != nil ||
		in.ChildrenOfAlarmName != nil && in.ParentsOfAlarmName != nil) {
		return nil, invalidCombination("With ChildrenOfAlarmName or ParentsOfAlarmName, no other parameter but MaxRecords and NextToken may be specified.")
	}
	limit, err := maxRecords(in.MaxRecords, 50)
	if err != nil {
		return nil, err
	}
	types := map[string]bool{kindMetric: len(in.AlarmTypes) == 0 || related}
	for _, t := range in.AlarmTypes {
		if t != kindMetric && t != kindComposite {
			return nil, invalidValue("The value %s for parameter AlarmTypes is invalid.", t)
		}
		types[t] = true
	}
	if related {
		types[kindComposite] = true
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	p := partitionOf(ctx)
	s.mu.RLock()
	defer s.mu.RUnlock()
	candidates := s.alarms[p]
	switch {
	case in.ChildrenOfAlarmName != nil:
		candidates = s.children(p, *in.ChildrenOfAlarmName)
	case in.ParentsOfAlarmName != nil:
		candidates = s.parents(p, *in.ParentsOfAlarmName)
	}
	names := make(map[string]bool, len(in.AlarmNames))
	for _, n := range in.AlarmNames {
		names[n] = true
	}
	var list []*alarm
	for _, a := range candidates {
		switch {
		case !types[a.kind], a.name <= after,
			len(names) > 0 && !names[a.name],
			in.AlarmNamePrefix != nil && !strings.HasPrefix(a.name, *in.AlarmNamePrefix),
			in.StateValue != nil && string(a.state.Value) != *in.StateValue,
			in.ActionPrefix != nil && !hasActionPrefix(a, *in.ActionPrefix):
			continue
		}
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	out := &cwapi.DescribeAlarmsOutput{MetricAlarms: []cwapi.MetricAlarm{}, CompositeAlarms: []cwapi.CompositeAlarm{}}
	if len(list) > limit {
		list = list[:limit]
		out.NextToken = shape.Ptr(encodeToken(list[limit-1].name))
	}
	for _, a := range list {
		switch d := s.describe(a).(type) {
		case *cwapi.MetricAlarm:
			out.MetricAlarms = append(out.MetricAlarms, *d)
		case *cwapi.CompositeAlarm:
			out.CompositeAlarms = append(out.CompositeAlarms, *d)
		}
	}
	return out, nil
}

func hasActionPrefix(a *alarm, prefix string) bool {
	for _, st := range []State{StateOK, StateAlarm, StateInsufficientData} {
		if slices.ContainsFunc(a.actions(st), func(x string) bool { return strings.HasPrefix(x, prefix) }) {
			return true
		}
	}
	return false
}

func maxRecords(v *int32, def int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < 1 || *v > 100 {
		return 0, invalidValue("The value %d for parameter MaxRecords is invalid. It must be between 1 and 100.", *v)
	}
	return int(*v), nil
}

// Page tokens carry the last name (or history id) returned.
func encodeToken(last string) string { return base64.RawURLEncoding.EncodeToString([]byte(last)) }

func decodeToken(tok *string) (string, error) {
	if tok == nil {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil || len(b) == 0 {
		return "", &cwapi.InvalidNextToken{Message: shape.Ptr("The service couldn't process the NextToken.")}
	}
	return string(b), nil
}

// DescribeAlarmsForMetric lists the single-metric alarms on one metric
// ("It does not return alarms based on math expressions").
func (s *Service) DescribeAlarmsForMetric(ctx context.Context, in *cwapi.DescribeAlarmsForMetricInput) (*cwapi.DescribeAlarmsForMetricOutput, error) {
	want := dimensionKey(in.Dimensions)
	p := partitionOf(ctx)
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []*alarm
	for _, a := range s.alarms[p] {
		m := a.metric
		if a.kind != kindMetric || len(m.Metrics) > 0 || shape.Value(m.MetricName) != shape.Value(in.MetricName) ||
			shape.Value(m.Namespace) != shape.Value(in.Namespace) || dimensionKey(m.Dimensions) != want ||
			in.Statistic != nil && shape.Value(m.Statistic) != *in.Statistic ||
			in.ExtendedStatistic != nil && shape.Value(m.ExtendedStatistic) != *in.ExtendedStatistic ||
			in.Period != nil && shape.Value(m.Period) != *in.Period ||
			in.Unit != nil && shape.Value(m.Unit) != *in.Unit {
			continue
		}
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	out := &cwapi.DescribeAlarmsForMetricOutput{MetricAlarms: []cwapi.MetricAlarm{}}
	for _, a := range list {
		out.MetricAlarms = append(out.MetricAlarms, *s.describe(a).(*cwapi.MetricAlarm))
	}
	return out, nil
}

func dimensionKey(ds []cwapi.Dimension) string {
	parts := make([]string, 0, len(ds))
	for _, d := range ds {
		parts = append(parts, shape.Value(d.Name)+"\x00"+shape.Value(d.Value))
	}
	sort.Strings(parts)
	return strings.Join(parts, "\x01")
}

// DescribeAlarmHistory reads history items, newest first unless ScanBy
// says otherwise, 100 a page at most; only metric alarms' unless
// AlarmTypes asks.
func (s *Service) DescribeAlarmHistory(ctx context.Context, in *cwapi.DescribeAlarmHistoryInput) (*cwapi.DescribeAlarmHistoryOutput, error) {
	limit, err := maxRecords(in.MaxRecords, 100)
	if err != nil {
		return nil, err
	}
	if in.AlarmContributorId != nil {
		// Contributors belong to multi-series Metrics Insights alarms,
		// which Vigil does not evaluate per contributor: none has history.
		return &cwapi.DescribeAlarmHistoryOutput{AlarmHistoryItems: []cwapi.AlarmHistoryItem{}}, nil
	}
	types := []string{kindMetric}
	if len(in.AlarmTypes) > 0 {
		types = in.AlarmTypes
	}
	q := `SELECT id, name, kind, ts, type, summary, data FROM cw_alarm_history WHERE account = ? AND region = ?`
	p := partitionOf(ctx)
	args := []any{p.account, p.region}
	q += ` AND kind IN (` + strings.Repeat("?,", len(types)-1) + `?)`
	for _, t := range types {
		args = append(args, t)
	}
	if in.AlarmName != nil {
		q, args = q+` AND name = ?`, append(args, *in.AlarmName)
	}
	if in.HistoryItemType != nil {
		q, args = q+` AND type = ?`, append(args, *in.HistoryItemType)
	}
	if in.StartDate != nil {
		q, args = q+` AND ts >= ?`, append(args, in.StartDate.UnixNano())
	}
	if in.EndDate != nil {
		q, args = q+` AND ts <= ?`, append(args, in.EndDate.UnixNano())
	}
	asc := shape.Value(in.ScanBy) == cwapi.ScanByTimestampAscending
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	var afterID int64
	if after != "" {
		if _, err := fmt.Sscan(after, &afterID); err != nil {
			return nil, &cwapi.InvalidNextToken{Message: shape.Ptr("The service couldn't process the NextToken.")}
		}
		if asc {
			q, args = q+` AND id > ?`, append(args, afterID)
		} else {
			q, args = q+` AND id < ?`, append(args, afterID)
		}
	}
	if asc {
		q += ` ORDER BY id ASC`
	} else {
		q += ` ORDER BY id DESC`
	}
	q, args = q+` LIMIT ?`, append(args, limit+1)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("alarm history: %w", err)
	}
	defer rows.Close()
	out := &cwapi.DescribeAlarmHistoryOutput{AlarmHistoryItems: []cwapi.AlarmHistoryItem{}}
	var lastID int64
	for rows.Next() {
		var id, ts int64
		var name, kind, typ, summary, data string
		if err := rows.Scan(&id, &name, &kind, &ts, &typ, &summary, &data); err != nil {
			return nil, fmt.Errorf("alarm history: %w", err)
		}
		if len(out.AlarmHistoryItems) == limit {
			out.NextToken = shape.Ptr(encodeToken(fmt.Sprint(lastID)))
			break
		}
		lastID = id
		out.AlarmHistoryItems = append(out.AlarmHistoryItems, cwapi.AlarmHistoryItem{
			AlarmName: shape.Ptr(name), AlarmType: shape.Ptr(kind), Timestamp: shape.Ptr(time.Unix(0, ts).UTC()),
			HistoryItemType: shape.Ptr(typ), HistorySummary: shape.Ptr(summary), HistoryData: shape.Ptr(data),
		})
	}
	return out, rows.Err()
}

// alarmByARN finds the caller's alarm named by a CloudWatch alarm ARN.
// Callers hold mu.
func (s *Service) alarmByARN(ctx context.Context, arn string) (*alarm, error) {
	p := partitionOf(ctx)
	prefix := alarmARN(p, "")
	name, ok := strings.CutPrefix(arn, prefix)
	if a := s.get(p, name); ok && a != nil {
		return a, nil
	}
	return nil, &cwapi.ResourceNotFoundException{Message: shape.Ptr("The resource " + arn + " does not exist."),
		ResourceType: shape.Ptr("Alarm"), ResourceId: shape.Ptr(arn)}
}

// TagResource tags an alarm (the only taggable CloudWatch resource Vigil
// has).
func (s *Service) TagResource(ctx context.Context, in *cwapi.TagResourceInput) (*cwapi.TagResourceOutput, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	return &cwapi.TagResourceOutput{}, s.changeTags(ctx, shape.Value(in.ResourceARN), func(m map[string]string) {
		maps.Copy(m, tagMap(in.Tags))
	})
}

func (s *Service) UntagResource(ctx context.Context, in *cwapi.UntagResourceInput) (*cwapi.UntagResourceOutput, error) {
	return &cwapi.UntagResourceOutput{}, s.changeTags(ctx, shape.Value(in.ResourceARN), func(m map[string]string) {
		for _, k := range in.TagKeys {
			delete(m, k)
		}
	})
}

func (s *Service) changeTags(ctx context.Context, arn string, change func(map[string]string)) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.alarmByARN(ctx, arn)
	if err != nil {
		return err
	}
	tags := maps.Clone(a.tags)
	if tags == nil {
		tags = map[string]string{}
	}
	change(tags)
	if len(tags) > maxTags {
		return &cwapi.LimitExceededException{Message: shape.Ptr(fmt.Sprintf("An alarm can have at most %d tags.", maxTags))}
	}
	b, _ := json.Marshal(tags)
	if _, err := s.db.ExecContext(ctx, `UPDATE cw_alarms SET tags = ? WHERE account = ? AND region = ? AND name = ?`, string(b), a.p.account, a.p.region, a.name); err != nil {
		return fmt.Errorf("alarm tags: %w", err)
	}
	a.tags = tags
	return nil
}

func (s *Service) ListTagsForResource(ctx context.Context, in *cwapi.ListTagsForResourceInput) (*cwapi.ListTagsForResourceOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.alarmByARN(ctx, shape.Value(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	out := &cwapi.ListTagsForResourceOutput{Tags: []cwapi.Tag{}}
	for _, k := range slices.Sorted(maps.Keys(a.tags)) {
		out.Tags = append(out.Tags, cwapi.Tag{Key: shape.Ptr(k), Value: shape.Ptr(a.tags[k])})
	}
	return out, nil
}
