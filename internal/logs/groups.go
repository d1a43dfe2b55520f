package logs

import (
	"context"
	"encoding/base64"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// retentionDays are the values PutRetentionPolicy accepts (API reference,
// PutRetentionPolicy).
var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

const maxTagsPerGroup = 50

func (s *Service) CreateLogGroup(ctx context.Context, in *logsapi.CreateLogGroupRequest) error {
	p := partitionOf(ctx)
	name := shape.Value(in.LogGroupName)
	if len(in.Tags) > maxTagsPerGroup {
		return invalidParameter("A log group can have at most %d tags.", maxTagsPerGroup)
	}
	d := groupDoc{
		Name:               name,
		Created:            nowMillis(ctx),
		KmsKeyID:           shape.Value(in.KmsKeyId),
		Class:              shape.Value(in.LogGroupClass),
		DeletionProtection: shape.Value(in.DeletionProtectionEnabled),
		Tags:               maps.Clone(in.Tags),
	}
	if d.Class == "" {
		d.Class = logsapi.LogGroupClassStandard
	}
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	gm := s.cat.groupMap(p)
	if gm[name] != nil {
		return alreadyExists("The specified log group already exists")
	}
	if err := s.cat.put(ctx, p, kindGroup, "", name, d); err != nil {
		return err
	}
	gm[name] = newGroup(d)
	return nil
}

func (s *Service) DeleteLogGroup(ctx context.Context, in *logsapi.DeleteLogGroupRequest) error {
	p := partitionOf(ctx)
	name := shape.Value(in.LogGroupName)
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	g := s.cat.groups[p][name]
	if g == nil {
		return errGroupNotFound()
	}
	if g.doc.DeletionProtection {
		// The wording is the User Guide's ("Protecting log groups from deletion").
		return &logsapi.ValidationException{Message: shape.Ptr("Cannot delete log group with deletion protection enabled. Disable deletion protection first.")}
	}
	// The events go first: a crash between the two leaves an empty group,
	// never events without a group that a re-created group would show.
	if err := s.events.DeleteLogGroup(ctx, p, name); err != nil {
		return err
	}
	if err := s.cat.deleteGroupRows(ctx, p, name); err != nil {
		return err
	}
	delete(s.cat.groups[p], name)
	return nil
}

func (s *Service) PutLogGroupDeletionProtection(ctx context.Context, in *logsapi.PutLogGroupDeletionProtectionRequest) error {
	err := s.updateGroup(ctx, shape.Value(in.LogGroupIdentifier), func(d *groupDoc) error {
		d.DeletionProtection = shape.Value(in.DeletionProtectionEnabled)
		return nil
	})
	if err != nil {
		return err
	}
	return nil
}

// updateGroup applies change to a copy of the group's document, stores it
// and then makes it current.
func (s *Service) updateGroup(ctx context.Context, identifier string, change func(*groupDoc) error) error {
	p := partitionOf(ctx)
	name, err := groupFromIdentifier(p, identifier)
	if err != nil {
		return err
	}
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	g := s.cat.groups[p][name]
	if g == nil {
		return errGroupNotFound()
	}
	d := g.doc
	d.Tags = maps.Clone(d.Tags)
	if err := change(&d); err != nil {
		return err
	}
	d.StoredBytes = g.storedBytes.Load()
	if err := s.cat.put(ctx, p, kindGroup, "", name, d); err != nil {
		return err
	}
	g.doc = d
	return nil
}

func (s *Service) PutRetentionPolicy(ctx context.Context, in *logsapi.PutRetentionPolicyRequest) error {
	days := shape.Value(in.RetentionInDays)
	if !slices.Contains(retentionDays, days) {
		vals := make([]string, len(retentionDays))
		for i, d := range retentionDays {
			vals[i] = strconv.Itoa(int(d))
		}
		return invalidParameter("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]", days, strings.Join(vals, ", "))
	}
	err := s.updateGroup(ctx, shape.Value(in.LogGroupName), func(d *groupDoc) error {
		d.RetentionDays = days
		return nil
	})
	if err != nil {
		return err
	}
	return nil
}

func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *logsapi.DeleteRetentionPolicyRequest) error {
	err := s.updateGroup(ctx, shape.Value(in.LogGroupName), func(d *groupDoc) error {
		d.RetentionDays = 0
		return nil
	})
	if err != nil {
		return err
	}
	return nil
}

// --- describe / list -------------------------------------------------------------

// sortedGroups returns the partition's groups ordered by name; the caller
// holds the read lock.
func (c *catalog) sortedGroups(p partition) []*group {
	gs := slices.Collect(maps.Values(c.groups[p]))
	slices.SortFunc(gs, func(a, b *group) int { return strings.Compare(a.doc.Name, b.doc.Name) })
	return gs
}

// A name-ordered listing's NextToken is the last returned name, opaque to
// clients.
func encodeNameToken(name string) *string {
	return shape.Ptr(base64.RawURLEncoding.EncodeToString([]byte(name)))
}

func decodeNameToken(tok *string) (string, error) {
	if tok == nil {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil || len(b) == 0 {
		return "", invalidParameter("The specified nextToken is invalid.")
	}
	return string(b), nil
}

func limitOf(l *int32, def int) int {
	if l == nil {
		return def
	}
	return int(*l)
}

func (s *Service) DescribeLogGroups(ctx context.Context, in *logsapi.DescribeLogGroupsRequest) (*logsapi.DescribeLogGroupsResponse, error) {
	p := partitionOf(ctx)
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	if in.LogGroupIdentifiers != nil && (in.LogGroupNamePrefix != nil || in.LogGroupNamePattern != nil) {
		return nil, invalidParameter("LogGroup identifiers and LogGroup name prefix or pattern are mutually exclusive parameters.")
	}
	if err := s.linkedAccounts(ctx, in.AccountIdentifiers); err != nil {
		return nil, err
	}
	var wanted map[string]bool
	if in.LogGroupIdentifiers != nil {
		wanted = map[string]bool{}
		for _, id := range in.LogGroupIdentifiers {
			name, err := groupFromIdentifier(p, id)
			if err != nil {
				continue // another account's group: not visible
			}
			wanted[name] = true
		}
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := limitOf(in.Limit, 50)
	prefix, pattern := shape.Value(in.LogGroupNamePrefix), in.LogGroupNamePattern
	out := &logsapi.DescribeLogGroupsResponse{LogGroups: []logsapi.LogGroup{}}
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	for _, g := range s.cat.sortedGroups(p) {
		d := &g.doc
		switch {
		case d.Name <= after && after != "",
			!strings.HasPrefix(d.Name, prefix),
			pattern != nil && !strings.Contains(d.Name, *pattern),
			wanted != nil && !wanted[d.Name],
			in.LogGroupClass != nil && *in.LogGroupClass != d.Class:
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = encodeNameToken(*out.LogGroups[limit-1].LogGroupName)
			break
		}
		lg := logsapi.LogGroup{
			LogGroupName: shape.Ptr(d.Name),
			CreationTime: shape.Ptr(d.Created),
			Arn:          shape.Ptr(groupArn(p, d.Name) + ":*"),
		}
		// With a name pattern AWS returns only arn, creationTime and
		// logGroupName.
		if pattern == nil {
			lg.LogGroupArn = shape.Ptr(groupArn(p, d.Name))
			lg.StoredBytes = shape.Ptr(g.storedBytes.Load())
			lg.MetricFilterCount = shape.Ptr(int32(len(g.metricFilters)))
			lg.LogGroupClass = shape.Ptr(d.Class)
			lg.DeletionProtectionEnabled = shape.Ptr(d.DeletionProtection)
			if d.RetentionDays != 0 {
				lg.RetentionInDays = shape.Ptr(d.RetentionDays)
			}
			if d.KmsKeyID != "" {
				lg.KmsKeyId = shape.Ptr(d.KmsKeyID)
			}
		}
		out.LogGroups = append(out.LogGroups, lg)
	}
	return out, nil
}

// linkedAccounts refuses cross-account listing: no monitoring-account links
// exist in Vigil, so asking for another account's data is an explicit error,
// not a silently partial answer.
func (s *Service) linkedAccounts(ctx context.Context, accounts []string) error {
	own := partitionOf(ctx).Account
	for _, a := range accounts {
		if a != own {
			return invalidParameter("Account %s is not linked to monitoring account %s: cross-account observability is not supported by Vigil.", a, own)
		}
	}
	return nil
}

// listPattern is ListLogGroups' logGroupNamePattern: up to five |-separated
// alternatives of 3 to 24 characters, each a case-sensitive substring, or a
// prefix with ^ (API reference, ListLogGroups).
func listPattern(pat string) (*regexp.Regexp, error) {
	alts := strings.Split(pat, "|")
	if len(alts) > 5 {
		return nil, invalidParameter("logGroupNamePattern may combine at most 5 patterns.")
	}
	parts := make([]string, len(alts))
	for i, a := range alts {
		anchored := strings.HasPrefix(a, "^")
		body := strings.TrimPrefix(a, "^")
		if n := len(a); n < 3 || n > 24 {
			return nil, invalidParameter("Each pattern in logGroupNamePattern must be between 3 and 24 characters: %q.", a)
		}
		if strings.Contains(body, "^") {
			return nil, invalidParameter("^ may only start a pattern in logGroupNamePattern: %q.", a)
		}
		q := regexp.QuoteMeta(body)
		if anchored {
			q = "^" + q
		}
		parts[i] = q
	}
	return regexp.Compile(strings.Join(parts, "|"))
}

func (s *Service) ListLogGroups(ctx context.Context, in *logsapi.ListLogGroupsRequest) (*logsapi.ListLogGroupsResponse, error) {
	p := partitionOf(ctx)
	if err := s.linkedAccounts(ctx, in.AccountIdentifiers); err != nil {
		return nil, err
	}
	if len(in.DataSources) > 0 {
		return nil, invalidParameter("The dataSources filter is not supported by Vigil: no log group has a data source.")
	}
	var re *regexp.Regexp
	if in.LogGroupNamePattern != nil {
		var err error
		if re, err = listPattern(*in.LogGroupNamePattern); err != nil {
			return nil, err
		}
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := limitOf(in.Limit, 50)
	out := &logsapi.ListLogGroupsResponse{LogGroups: []logsapi.LogGroupSummary{}}
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	for _, g := range s.cat.sortedGroups(p) {
		d := &g.doc
		switch {
		case after != "" && d.Name <= after,
			re != nil && !re.MatchString(d.Name),
			in.LogGroupClass != nil && *in.LogGroupClass != d.Class,
			!tagsMatch(d.Tags, in.LogGroupTags),
			!hasFieldIndexes(g, in.FieldIndexNames):
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = encodeNameToken(*out.LogGroups[limit-1].LogGroupName)
			break
		}
		out.LogGroups = append(out.LogGroups, logsapi.LogGroupSummary{
			LogGroupName:  shape.Ptr(d.Name),
			LogGroupArn:   shape.Ptr(groupArn(p, d.Name)),
			LogGroupClass: shape.Ptr(d.Class),
		})
	}
	return out, nil
}

func tagsMatch(tags map[string]string, filters []logsapi.TagFilter) bool {
	for _, f := range filters {
		v, ok := tags[shape.Value(f.Key)]
		if !ok || (len(f.Values) > 0 && !slices.Contains(f.Values, v)) {
			return false
		}
	}
	return true
}

// --- tags --------------------------------------------------------------------

func (s *Service) tagGroup(ctx context.Context, identifier string, add map[string]string, remove []string) error {
	return s.updateGroup(ctx, identifier, func(d *groupDoc) error {
		if d.Tags == nil {
			d.Tags = map[string]string{}
		}
		maps.Copy(d.Tags, add)
		for _, k := range remove {
			delete(d.Tags, k)
		}
		if len(d.Tags) > maxTagsPerGroup {
			return &logsapi.TooManyTagsException{Message: shape.Ptr("A resource can have no more than 50 tags."), ResourceName: shape.Ptr(groupArn(partitionOf(ctx), d.Name))}
		}
		return nil
	})
}

// groupOfResource accepts the ARN of a log group (the only taggable
// resource Vigil has): arn:aws:logs:<region>:<account>:log-group:<name>.
func groupOfResource(arn string) (string, error) {
	if !strings.Contains(arn, ":log-group:") {
		return "", notFound("The specified resource does not exist.")
	}
	return arn, nil
}

func (s *Service) TagResource(ctx context.Context, in *logsapi.TagResourceRequest) error {
	id, err := groupOfResource(shape.Value(in.ResourceArn))
	if err != nil {
		return err
	}
	if err := s.tagGroup(ctx, id, in.Tags, nil); err != nil {
		return err
	}
	return nil
}

func (s *Service) UntagResource(ctx context.Context, in *logsapi.UntagResourceRequest) error {
	id, err := groupOfResource(shape.Value(in.ResourceArn))
	if err != nil {
		return err
	}
	if err := s.tagGroup(ctx, id, nil, in.TagKeys); err != nil {
		return err
	}
	return nil
}

func (s *Service) ListTagsForResource(ctx context.Context, in *logsapi.ListTagsForResourceRequest) (*logsapi.ListTagsForResourceResponse, error) {
	id, err := groupOfResource(shape.Value(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	tags, err := s.groupTags(ctx, id)
	if err != nil {
		return nil, err
	}
	return &logsapi.ListTagsForResourceResponse{Tags: tags}, nil
}

func (s *Service) TagLogGroup(ctx context.Context, in *logsapi.TagLogGroupRequest) error {
	if err := s.tagGroup(ctx, shape.Value(in.LogGroupName), in.Tags, nil); err != nil {
		return err
	}
	return nil
}

func (s *Service) UntagLogGroup(ctx context.Context, in *logsapi.UntagLogGroupRequest) error {
	if err := s.tagGroup(ctx, shape.Value(in.LogGroupName), nil, in.Tags); err != nil {
		return err
	}
	return nil
}

func (s *Service) ListTagsLogGroup(ctx context.Context, in *logsapi.ListTagsLogGroupRequest) (*logsapi.ListTagsLogGroupResponse, error) {
	tags, err := s.groupTags(ctx, shape.Value(in.LogGroupName))
	if err != nil {
		return nil, err
	}
	return &logsapi.ListTagsLogGroupResponse{Tags: tags}, nil
}

func (s *Service) groupTags(ctx context.Context, identifier string) (map[string]string, error) {
	p := partitionOf(ctx)
	name, err := groupFromIdentifier(p, identifier)
	if err != nil {
		return nil, err
	}
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	g := s.cat.groups[p][name]
	if g == nil {
		return nil, errGroupNotFound()
	}
	tags := maps.Clone(g.doc.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}
