package cloudwatch

import (
	"context"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
)

// Alarms is the alarm service (internal/alarms) the alarm operations go to.
type Alarms interface {
	PutMetricAlarm(ctx context.Context, in *cwapi.PutMetricAlarmInput) error
	PutCompositeAlarm(ctx context.Context, in *cwapi.PutCompositeAlarmInput) error
	DeleteAlarms(ctx context.Context, in *cwapi.DeleteAlarmsInput) error
	DescribeAlarms(ctx context.Context, in *cwapi.DescribeAlarmsInput) (*cwapi.DescribeAlarmsOutput, error)
	DescribeAlarmsForMetric(ctx context.Context, in *cwapi.DescribeAlarmsForMetricInput) (*cwapi.DescribeAlarmsForMetricOutput, error)
	DescribeAlarmHistory(ctx context.Context, in *cwapi.DescribeAlarmHistoryInput) (*cwapi.DescribeAlarmHistoryOutput, error)
	SetAlarmState(ctx context.Context, in *cwapi.SetAlarmStateInput) error
	EnableAlarmActions(ctx context.Context, in *cwapi.EnableAlarmActionsInput) error
	DisableAlarmActions(ctx context.Context, in *cwapi.DisableAlarmActionsInput) error
	TagResource(ctx context.Context, in *cwapi.TagResourceInput) (*cwapi.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *cwapi.UntagResourceInput) (*cwapi.UntagResourceOutput, error)
	ListTagsForResource(ctx context.Context, in *cwapi.ListTagsForResourceInput) (*cwapi.ListTagsForResourceOutput, error)
}

// WithAlarms routes the alarm operations (and tags, alarms being the only
// taggable CloudWatch resource Vigil has) to a.
func (s *Service) WithAlarms(a Alarms) *Service {
	s.alarms = a
	return s
}

func (s *Service) PutMetricAlarm(ctx context.Context, in *cwapi.PutMetricAlarmInput) error {
	return s.alarms.PutMetricAlarm(ctx, in)
}

func (s *Service) PutCompositeAlarm(ctx context.Context, in *cwapi.PutCompositeAlarmInput) error {
	return s.alarms.PutCompositeAlarm(ctx, in)
}

func (s *Service) DeleteAlarms(ctx context.Context, in *cwapi.DeleteAlarmsInput) error {
	return s.alarms.DeleteAlarms(ctx, in)
}

func (s *Service) DescribeAlarms(ctx context.Context, in *cwapi.DescribeAlarmsInput) (*cwapi.DescribeAlarmsOutput, error) {
	return s.alarms.DescribeAlarms(ctx, in)
}

func (s *Service) DescribeAlarmsForMetric(ctx context.Context, in *cwapi.DescribeAlarmsForMetricInput) (*cwapi.DescribeAlarmsForMetricOutput, error) {
	return s.alarms.DescribeAlarmsForMetric(ctx, in)
}

func (s *Service) DescribeAlarmHistory(ctx context.Context, in *cwapi.DescribeAlarmHistoryInput) (*cwapi.DescribeAlarmHistoryOutput, error) {
	return s.alarms.DescribeAlarmHistory(ctx, in)
}

func (s *Service) SetAlarmState(ctx context.Context, in *cwapi.SetAlarmStateInput) error {
	return s.alarms.SetAlarmState(ctx, in)
}

func (s *Service) EnableAlarmActions(ctx context.Context, in *cwapi.EnableAlarmActionsInput) error {
	return s.alarms.EnableAlarmActions(ctx, in)
}

func (s *Service) DisableAlarmActions(ctx context.Context, in *cwapi.DisableAlarmActionsInput) error {
	return s.alarms.DisableAlarmActions(ctx, in)
}

func (s *Service) TagResource(ctx context.Context, in *cwapi.TagResourceInput) (*cwapi.TagResourceOutput, error) {
	return s.alarms.TagResource(ctx, in)
}

func (s *Service) UntagResource(ctx context.Context, in *cwapi.UntagResourceInput) (*cwapi.UntagResourceOutput, error) {
	return s.alarms.UntagResource(ctx, in)
}

func (s *Service) ListTagsForResource(ctx context.Context, in *cwapi.ListTagsForResourceInput) (*cwapi.ListTagsForResourceOutput, error) {
	return s.alarms.ListTagsForResource(ctx, in)
}
