package logs

import (
	"context"
	"slices"
	"strings"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// Saved Logs Insights queries per account and region (CloudWatch Logs
// quotas: 1,000 query definitions).
const maxQueryDefinitions = 1000

// queryDefDoc is a saved Logs Insights query as persisted.
type queryDefDoc struct {
	ID          string                   `json:"id"`
	Name        string                   `json:"name"`
	Language    string                   `json:"language"`
	Query       string                   `json:"query"`
	LogGroups   []string                 `json:"logGroups,omitempty"`
	Parameters  []logsapi.QueryParameter `json:"parameters,omitempty"`
	Modified    int64                    `json:"modified"`
	ClientToken string                   `json:"clientToken,omitempty"`
}

// PutQueryDefinition creates a definition, or replaces every field of the
// one queryDefinitionId names ("No current values are retained"). A
// repeated clientToken returns the definition it created without change.
func (s *Service) PutQueryDefinition(ctx context.Context, in *logsapi.PutQueryDefinitionRequest) (*logsapi.PutQueryDefinitionResponse, error) {
	p := partitionOf(ctx)
	d := queryDefDoc{
		ID:          shape.Value(in.QueryDefinitionId),
		Name:        shape.Value(in.Name),
		Language:    shape.Value(in.QueryLanguage),
		Query:       shape.Value(in.QueryString),
		LogGroups:   in.LogGroupNames,
		Parameters:  in.Parameters,
		Modified:    nowMillis(ctx),
		ClientToken: shape.Value(in.ClientToken),
	}
	if d.Language == "" {
		d.Language = logsapi.QueryLanguageCwli
	}
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	defs := s.cat.queryDefMap(p)
	if d.ClientToken != "" {
		for _, old := range defs {
			if old.ClientToken == d.ClientToken {
				return &logsapi.PutQueryDefinitionResponse{QueryDefinitionId: shape.Ptr(old.ID)}, nil
			}
		}
	}
	switch {
	case d.ID == "":
		if len(defs) >= maxQueryDefinitions {
			return nil, limitExceeded("You have reached the maximum number of query definitions (1000).")
		}
		d.ID = s.ids.UUID()
	case defs[d.ID] == nil:
		return nil, notFound("The specified query definition does not exist.")
	}
	if err := s.cat.put(ctx, p, kindQueryDef, "", d.ID, d); err != nil {
		return nil, err
	}
	defs[d.ID] = &d
	return &logsapi.PutQueryDefinitionResponse{QueryDefinitionId: shape.Ptr(d.ID)}, nil
}

func (s *Service) DeleteQueryDefinition(ctx context.Context, in *logsapi.DeleteQueryDefinitionRequest) (*logsapi.DeleteQueryDefinitionResponse, error) {
	p := partitionOf(ctx)
	id := shape.Value(in.QueryDefinitionId)
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	if s.cat.queryDefs[p][id] == nil {
		return nil, notFound("The specified query definition does not exist.")
	}
	if err := s.cat.delete(ctx, p, kindQueryDef, "", id); err != nil {
		return nil, err
	}
	delete(s.cat.queryDefs[p], id)
	return &logsapi.DeleteQueryDefinitionResponse{Success: shape.Ptr(true)}, nil
}

// DescribeQueryDefinitions lists definitions by name (then id), paged by
// the last one returned.
func (s *Service) DescribeQueryDefinitions(ctx context.Context, in *logsapi.DescribeQueryDefinitionsRequest) (*logsapi.DescribeQueryDefinitionsResponse, error) {
	p := partitionOf(ctx)
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := limitOf(in.MaxResults, 1000)
	prefix := shape.Value(in.QueryDefinitionNamePrefix)
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	var defs []*queryDefDoc
	for _, d := range s.cat.queryDefs[p] {
		if strings.HasPrefix(d.Name, prefix) && (in.QueryLanguage == nil || *in.QueryLanguage == d.Language) {
			defs = append(defs, d)
		}
	}
	key := func(d *queryDefDoc) string { return d.Name + "\x00" + d.ID }
	slices.SortFunc(defs, func(a, b *queryDefDoc) int { return strings.Compare(key(a), key(b)) })
	out := &logsapi.DescribeQueryDefinitionsResponse{QueryDefinitions: []logsapi.QueryDefinition{}}
	for i, d := range defs {
		if after != "" && key(d) <= after {
			continue
		}
		if len(out.QueryDefinitions) == limit {
			out.NextToken = encodeNameToken(key(defs[i-1]))
			break
		}
		out.QueryDefinitions = append(out.QueryDefinitions, logsapi.QueryDefinition{
			QueryDefinitionId: shape.Ptr(d.ID),
			Name:              shape.Ptr(d.Name),
			QueryLanguage:     shape.Ptr(d.Language),
			QueryString:       shape.Ptr(d.Query),
			LastModified:      shape.Ptr(d.Modified),
			LogGroupNames:     d.LogGroups,
			Parameters:        d.Parameters,
		})
	}
	return out, nil
}
