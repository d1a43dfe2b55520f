package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// Connections and API destinations (CreateConnection ... DeleteApiDestination)
// live in their own tables and their own lock, apiState.mu, never taken
// together with Service.mu: a delivery reads its target under mu, lets go,
// then resolves the destination and connection here.

const apiSchema = `
CREATE TABLE IF NOT EXISTS events_connections (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (account, region, name)
);
CREATE TABLE IF NOT EXISTS events_api_destinations (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (account, region, name)
);`

// Quotas (EventBridge quotas page: 50 connections and 3,000 API
// destinations per account and region).
const (
	maxConnections     = 50
	maxAPIDestinations = 3000
)

var connNamePattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

// apiState holds every account's connections and API destinations, the
// OAuth tokens fetched for them and the invocation rate limiters.
type apiState struct {
	mu      sync.Mutex
	conns   map[partition]map[string]*connDoc
	dests   map[partition]map[string]*apiDestDoc
	tokens  map[string]*oauthToken // by connection ARN; memory only
	buckets map[string]*tokenBucket
	// fetching serializes token fetches per connection ARN.
	fetching map[string]*sync.Mutex
	// client makes the invocations and the OAuth token requests; nil is a
	// client with apiTimeout and no redirects followed.
	client *http.Client
}

// connDoc is a connection's row. Our decision: Vigil has no Secrets
// Manager, so the credentials AWS keeps in the connection's secret are
// kept in this row in SQLite (the data directory's access rights protect
// them); SecretArn names that secret with AWS's ARN format but cannot be
// read through any API.
type connDoc struct {
	ARN         string `json:"arn"`
	Name        string `json:"name"`
	Description string `json:"desc,omitempty"`
	State       string `json:"state"`
	StateReason string `json:"reason,omitempty"`
	AuthType    string `json:"type"`
	SecretARN   string `json:"secret"`
	Created     int64  `json:"created"`
	Modified    int64  `json:"modified"`
	Authorized  int64  `json:"authorized,omitempty"`
	Auth        auth   `json:"auth"`
}

// auth is a connection's authorization parameters, secrets included.
type auth struct {
	APIKeyName   string                              `json:"keyName,omitempty"`
	APIKeyValue  string                              `json:"keyValue,omitempty"`
	Username     string                              `json:"user,omitempty"`
	Password     string                              `json:"password,omitempty"`
	ClientID     string                              `json:"clientId,omitempty"`
	ClientSecret string                              `json:"clientSecret,omitempty"`
	Endpoint     string                              `json:"endpoint,omitempty"`
	Method       string                              `json:"method,omitempty"`
	OAuthParams  *eventsapi.ConnectionHttpParameters `json:"oauthParams,omitempty"`
	Invocation   *eventsapi.ConnectionHttpParameters `json:"invocation,omitempty"`
}

func (s *Service) loadAPI(ctx context.Context) error {
	a := &s.api
	a.mu.Lock()
	defer a.mu.Unlock()
	a.conns, a.dests = map[partition]map[string]*connDoc{}, map[partition]map[string]*apiDestDoc{}
	a.tokens, a.buckets, a.fetching = map[string]*oauthToken{}, map[string]*tokenBucket{}, map[string]*sync.Mutex{}
	if _, err := s.db.ExecContext(ctx, apiSchema); err != nil {
		return fmt.Errorf("create events connection tables: %w", err)
	}
	err := scanDocs(ctx, s.db, "events_connections", func(p partition, name string, doc []byte) error {
		var d connDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			return fmt.Errorf("load connection %s: %w", name, err)
		}
		a.connsOf(p)[name] = &d
		return nil
	})
	if err != nil {
		return err
	}
	return scanDocs(ctx, s.db, "events_api_destinations", func(p partition, name string, doc []byte) error {
		var d apiDestDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			return fmt.Errorf("load API destination %s: %w", name, err)
		}
		a.destsOf(p)[name] = &d
		return nil
	})
}

// resetAPI forgets every connection and API destination (dev mode reset).
func (s *Service) resetAPI() {
	a := &s.api
	a.mu.Lock()
	defer a.mu.Unlock()
	a.conns, a.dests = map[partition]map[string]*connDoc{}, map[partition]map[string]*apiDestDoc{}
	a.tokens, a.buckets, a.fetching = map[string]*oauthToken{}, map[string]*tokenBucket{}, map[string]*sync.Mutex{}
}

func scanDocs(ctx context.Context, db *sql.DB, table string, f func(p partition, name string, doc []byte) error) error {
	rows, err := db.QueryContext(ctx, `SELECT account, region, name, doc FROM `+table)
	if err != nil {
		return fmt.Errorf("load %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p partition
		var name string
		var doc []byte
		if err := rows.Scan(&p.account, &p.region, &name, &doc); err != nil {
			return fmt.Errorf("load %s: %w", table, err)
		}
		if err := f(p, name, doc); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Service) saveDoc(ctx context.Context, table string, p partition, name string, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO `+table+` (account, region, name, doc) VALUES (?, ?, ?, ?)`,
		p.account, p.region, name, string(doc)); err != nil {
		return fmt.Errorf("save %s: %w", table, err)
	}
	return nil
}

func (s *Service) deleteDoc(ctx context.Context, table string, p partition, name string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM `+table+` WHERE account = ? AND region = ? AND name = ?`, p.account, p.region, name); err != nil {
		return fmt.Errorf("delete from %s: %w", table, err)
	}
	return nil
}

func (a *apiState) connsOf(p partition) map[string]*connDoc    { return byName(a.conns, p) }
func (a *apiState) destsOf(p partition) map[string]*apiDestDoc { return byName(a.dests, p) }

// byName is p's map in m, created on first use.
func byName[V any](m map[partition]map[string]V, p partition) map[string]V {
	inner := m[p]
	if inner == nil {
		inner = map[string]V{}
		m[p] = inner
	}
	return inner
}

func errNoConnection(name string) error {
	return notFound("Failed to describe the connection(s). Connection '%s' does not exist.", name)
}

func checkResourceName(param string, name *string) (string, error) {
	n := shape.Value(name)
	if !connNamePattern.MatchString(n) {
		return "", validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have a length between 1 and 64", n, param)
	}
	return n, nil
}

// checkHTTPParams validates a connection's header, query string and body
// parameters: a key is required.
func checkHTTPParams(where string, hp *eventsapi.ConnectionHttpParameters) error {
	if hp == nil {
		return nil
	}
	for _, h := range hp.HeaderParameters {
		if shape.Value(h.Key) == "" {
			return validation("%s: a header parameter needs a Key.", where)
		}
	}
	for _, q := range hp.QueryStringParameters {
		if shape.Value(q.Key) == "" {
			return validation("%s: a query string parameter needs a Key.", where)
		}
	}
	for _, b := range hp.BodyParameters {
		if shape.Value(b.Key) == "" {
			return validation("%s: a body parameter needs a Key.", where)
		}
	}
	return nil
}

// checkAuth validates d.Auth for d.AuthType once the request's parameters
// are merged in.
func checkAuth(d *connDoc) error {
	au := &d.Auth
	switch d.AuthType {
	case eventsapi.ConnectionAuthorizationTypeApiKey:
		if au.APIKeyName == "" || au.APIKeyValue == "" {
			return validation("ApiKeyAuthParameters with ApiKeyName and ApiKeyValue are required for AuthorizationType API_KEY.")
		}
	case eventsapi.ConnectionAuthorizationTypeBasic:
		if au.Username == "" || au.Password == "" {
			return validation("BasicAuthParameters with Username and Password are required for AuthorizationType BASIC.")
		}
	case eventsapi.ConnectionAuthorizationTypeOauthClientCredentials:
		if au.ClientID == "" || au.ClientSecret == "" || au.Endpoint == "" || au.Method == "" {
			return validation("OAuthParameters with ClientParameters (ClientID, ClientSecret), AuthorizationEndpoint and HttpMethod are required for AuthorizationType OAUTH_CLIENT_CREDENTIALS.")
		}
		switch au.Method {
		case eventsapi.ConnectionOAuthHttpMethodGet, eventsapi.ConnectionOAuthHttpMethodPost, eventsapi.ConnectionOAuthHttpMethodPut:
		default:
			return validation("1 validation error detected: Value '%s' at 'authParameters.oAuthParameters.httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [GET, POST, PUT]", au.Method)
		}
		if err := checkEndpoint("AuthorizationEndpoint", au.Endpoint); err != nil {
			return err
		}
		if err := checkHTTPParams("OAuthHttpParameters", au.OAuthParams); err != nil {
			return err
		}
	default:
		return validation("1 validation error detected: Value '%s' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]", d.AuthType)
	}
	return checkHTTPParams("InvocationHttpParameters", au.Invocation)
}

// checkEndpoint accepts an absolute https URL, or an http one. Our
// decision: AWS requires HTTPS; Vigil also accepts http:// so that a local
// service (a test server, a container on the same host) can be a
// destination without a certificate.
func checkEndpoint(param, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return validation("%s %s is not valid: it must be an absolute https:// URL (Vigil also accepts http://).", param, raw)
	}
	return nil
}

// unsupportedConnParams refuses what Vigil cannot honour.
func unsupportedConnParams(kms *string, inv *eventsapi.ConnectivityResourceParameters, conn *eventsapi.ConnectivityResourceParameters) error {
	switch {
	case kms != nil:
		return validation("KmsKeyIdentifier is not supported by Vigil: it has no KMS; connection secrets are kept in its data directory.")
	case inv != nil || conn != nil:
		return validation("InvocationConnectivityParameters (private APIs through VPC Lattice) are not supported by Vigil.")
	}
	return nil
}

func (s *Service) CreateConnection(ctx context.Context, in *eventsapi.CreateConnectionRequest) (*eventsapi.CreateConnectionResponse, error) {
	c := callOf(ctx)
	name, err := checkResourceName("name", in.Name)
	if err != nil {
		return nil, err
	}
	var connParams *eventsapi.ConnectivityResourceParameters
	if in.AuthParameters != nil {
		connParams = in.AuthParameters.ConnectivityParameters
	}
	if err := unsupportedConnParams(in.KmsKeyIdentifier, in.InvocationConnectivityParameters, connParams); err != nil {
		return nil, err
	}
	if in.AuthParameters == nil {
		return nil, validation("AuthParameters is required.")
	}
	now := s.clock.Now()
	d := &connDoc{
		Name: name, Description: shape.Value(in.Description), AuthType: shape.Value(in.AuthorizationType),
		Created: now.UnixMilli(), Modified: now.UnixMilli(),
	}
	ap := in.AuthParameters
	if k := ap.ApiKeyAuthParameters; k != nil {
		d.Auth.APIKeyName, d.Auth.APIKeyValue = shape.Value(k.ApiKeyName), shape.Value(k.ApiKeyValue)
	}
	if b := ap.BasicAuthParameters; b != nil {
		d.Auth.Username, d.Auth.Password = shape.Value(b.Username), shape.Value(b.Password)
	}
	if o := ap.OAuthParameters; o != nil {
		if cp := o.ClientParameters; cp != nil {
			d.Auth.ClientID, d.Auth.ClientSecret = shape.Value(cp.ClientID), shape.Value(cp.ClientSecret)
		}
		d.Auth.Endpoint, d.Auth.Method, d.Auth.OAuthParams = shape.Value(o.AuthorizationEndpoint), shape.Value(o.HttpMethod), o.OAuthHttpParameters
	}
	d.Auth.Invocation = ap.InvocationHttpParameters
	if err := checkAuth(d); err != nil {
		return nil, err
	}
	id := s.ids.UUID()
	d.ARN = "arn:aws:events:" + c.p.region + ":" + c.p.account + ":connection/" + name + "/" + id
	d.SecretARN = "arn:aws:secretsmanager:" + c.p.region + ":" + c.p.account + ":secret:events!connection/" + name + "/" + id
	tok := s.authorize(ctx, d, now)

	a := &s.api
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.connsOf(c.p)
	if m[name] != nil {
		return nil, alreadyExists("Connection %s already exists.", name)
	}
	if len(m) >= maxConnections {
		return nil, limitExceeded("The requested resource exceeds the maximum number allowed.")
	}
	if err := s.saveDoc(ctx, "events_connections", c.p, name, d); err != nil {
		return nil, err
	}
	m[name] = d
	if tok != nil {
		a.tokens[d.ARN] = tok
	}
	return &eventsapi.CreateConnectionResponse{ConnectionArn: &d.ARN, ConnectionState: shape.Ptr(d.State),
		CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified)}, nil
}

// authorize sets d's state. API key and basic credentials need no
// exchange, so they are AUTHORIZED at once. For OAuth, AWS answers
// AUTHORIZING and fetches a token in the background; our decision: Vigil
// fetches it before answering (within apiTimeout), so the answer is
// already AUTHORIZED, or DEAUTHORIZED with the reason, and the token is
// returned for the caller to cache once the connection is stored. It
// takes no lock.
func (s *Service) authorize(ctx context.Context, d *connDoc, now time.Time) *oauthToken {
	d.State, d.StateReason = eventsapi.ConnectionStateAuthorized, ""
	var tok *oauthToken
	if d.AuthType == eventsapi.ConnectionAuthorizationTypeOauthClientCredentials {
		var err error
		if tok, err = s.fetchToken(ctx, d); err != nil {
			d.State, d.StateReason = eventsapi.ConnectionStateDeauthorized, err.Error()
			return nil
		}
	}
	d.Authorized = now.UnixMilli()
	return tok
}

func (s *Service) lookupConnection(p partition, name *string) (*connDoc, error) {
	n := shape.Value(name)
	d := s.api.connsOf(p)[n]
	if d == nil {
		return nil, errNoConnection(n)
	}
	return d, nil
}

func (s *Service) DescribeConnection(ctx context.Context, in *eventsapi.DescribeConnectionRequest) (*eventsapi.DescribeConnectionResponse, error) {
	c := callOf(ctx)
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	d, err := s.lookupConnection(c.p, in.Name)
	if err != nil {
		return nil, err
	}
	out := &eventsapi.DescribeConnectionResponse{
		ConnectionArn: shape.Ptr(d.ARN), Name: shape.Ptr(d.Name), ConnectionState: shape.Ptr(d.State),
		AuthorizationType: shape.Ptr(d.AuthType), SecretArn: shape.Ptr(d.SecretARN),
		CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified), LastAuthorizedTime: msTime(d.Authorized),
	}
	if d.Description != "" {
		out.Description = shape.Ptr(d.Description)
	}
	if d.StateReason != "" {
		out.StateReason = shape.Ptr(d.StateReason)
	}
	// Secrets (API key value, password, client secret, secret parameter
	// values) are never returned, as on AWS.
	au := &d.Auth
	ap := &eventsapi.ConnectionAuthResponseParameters{InvocationHttpParameters: publicParams(au.Invocation)}
	switch d.AuthType {
	case eventsapi.ConnectionAuthorizationTypeApiKey:
		if au.APIKeyName != "" {
			ap.ApiKeyAuthParameters = &eventsapi.ConnectionApiKeyAuthResponseParameters{ApiKeyName: shape.Ptr(au.APIKeyName)}
		}
	case eventsapi.ConnectionAuthorizationTypeBasic:
		if au.Username != "" {
			ap.BasicAuthParameters = &eventsapi.ConnectionBasicAuthResponseParameters{Username: shape.Ptr(au.Username)}
		}
	case eventsapi.ConnectionAuthorizationTypeOauthClientCredentials:
		if au.Endpoint != "" {
			ap.OAuthParameters = &eventsapi.ConnectionOAuthResponseParameters{
				ClientParameters:      &eventsapi.ConnectionOAuthClientResponseParameters{ClientID: shape.Ptr(au.ClientID)},
				AuthorizationEndpoint: shape.Ptr(au.Endpoint), HttpMethod: shape.Ptr(au.Method),
				OAuthHttpParameters: publicParams(au.OAuthParams),
			}
		}
	}
	out.AuthParameters = ap
	return out, nil
}

// publicParams is hp without the values marked secret.
func publicParams(hp *eventsapi.ConnectionHttpParameters) *eventsapi.ConnectionHttpParameters {
	if hp == nil {
		return nil
	}
	out := &eventsapi.ConnectionHttpParameters{}
	for _, h := range hp.HeaderParameters {
		if shape.Value(h.IsValueSecret) {
			h.Value = nil
		}
		out.HeaderParameters = append(out.HeaderParameters, h)
	}
	for _, q := range hp.QueryStringParameters {
		if shape.Value(q.IsValueSecret) {
			q.Value = nil
		}
		out.QueryStringParameters = append(out.QueryStringParameters, q)
	}
	for _, b := range hp.BodyParameters {
		if shape.Value(b.IsValueSecret) {
			b.Value = nil
		}
		out.BodyParameters = append(out.BodyParameters, b)
	}
	return out
}

func (s *Service) ListConnections(ctx context.Context, in *eventsapi.ListConnectionsRequest) (*eventsapi.ListConnectionsResponse, error) {
	c := callOf(ctx)
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	m := s.api.connsOf(c.p)
	var names []string
	for n, d := range m {
		if strings.HasPrefix(n, shape.Value(in.NamePrefix)) && (in.ConnectionState == nil || *in.ConnectionState == d.State) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	got, next, err := page(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &eventsapi.ListConnectionsResponse{Connections: []eventsapi.Connection{}, NextToken: next}
	for _, n := range got {
		d := m[n]
		e := eventsapi.Connection{ConnectionArn: shape.Ptr(d.ARN), Name: shape.Ptr(d.Name), ConnectionState: shape.Ptr(d.State),
			AuthorizationType: shape.Ptr(d.AuthType), CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified),
			LastAuthorizedTime: msTime(d.Authorized)}
		if d.StateReason != "" {
			e.StateReason = shape.Ptr(d.StateReason)
		}
		out.Connections = append(out.Connections, e)
	}
	return out, nil
}

// UpdateConnection changes what the request gives; authorization
// parameters given replace those stored one block at a time (a new
// AuthorizationType needs its block). The connection is authorized again.
func (s *Service) UpdateConnection(ctx context.Context, in *eventsapi.UpdateConnectionRequest) (*eventsapi.UpdateConnectionResponse, error) {
	c := callOf(ctx)
	var connParams *eventsapi.ConnectivityResourceParameters
	if in.AuthParameters != nil {
		connParams = in.AuthParameters.ConnectivityParameters
	}
	if err := unsupportedConnParams(in.KmsKeyIdentifier, in.InvocationConnectivityParameters, connParams); err != nil {
		return nil, err
	}
	s.api.mu.Lock()
	old, err := s.lookupConnection(c.p, in.Name)
	var d connDoc
	if err == nil {
		d = *old
	}
	s.api.mu.Unlock()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.AuthorizationType != nil && *in.AuthorizationType != d.AuthType {
		// The old type's secrets must not linger under the new type.
		d.AuthType, d.Auth = *in.AuthorizationType, auth{Invocation: d.Auth.Invocation}
	}
	if ap := in.AuthParameters; ap != nil {
		if k := ap.ApiKeyAuthParameters; k != nil {
			setIf(&d.Auth.APIKeyName, k.ApiKeyName)
			setIf(&d.Auth.APIKeyValue, k.ApiKeyValue)
		}
		if b := ap.BasicAuthParameters; b != nil {
			setIf(&d.Auth.Username, b.Username)
			setIf(&d.Auth.Password, b.Password)
		}
		if o := ap.OAuthParameters; o != nil {
			if cp := o.ClientParameters; cp != nil {
				setIf(&d.Auth.ClientID, cp.ClientID)
				setIf(&d.Auth.ClientSecret, cp.ClientSecret)
			}
			setIf(&d.Auth.Endpoint, o.AuthorizationEndpoint)
			setIf(&d.Auth.Method, o.HttpMethod)
			if o.OAuthHttpParameters != nil {
				d.Auth.OAuthParams = o.OAuthHttpParameters
			}
		}
		if ap.InvocationHttpParameters != nil {
			d.Auth.Invocation = ap.InvocationHttpParameters
		}
	}
	if err := checkAuth(&d); err != nil {
		return nil, err
	}
	d.Modified = now.UnixMilli()
	tok := s.authorize(ctx, &d, now)

	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	m := s.api.connsOf(c.p)
	if cur := m[d.Name]; cur == nil || cur.ARN != d.ARN {
		return nil, errNoConnection(d.Name) // deleted meanwhile
	}
	if err := s.saveDoc(ctx, "events_connections", c.p, d.Name, &d); err != nil {
		return nil, err
	}
	m[d.Name] = &d
	delete(s.api.tokens, d.ARN)
	if tok != nil {
		s.api.tokens[d.ARN] = tok
	}
	return &eventsapi.UpdateConnectionResponse{ConnectionArn: shape.Ptr(d.ARN), ConnectionState: shape.Ptr(d.State),
		CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified), LastAuthorizedTime: msTime(d.Authorized)}, nil
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// DeleteConnection removes the connection at once (AWS answers DELETING).
// Our decision: API destinations that use it are kept, as AWS keeps them,
// and their invocations fail with NO_RESOURCE until they get another
// connection.
func (s *Service) DeleteConnection(ctx context.Context, in *eventsapi.DeleteConnectionRequest) (*eventsapi.DeleteConnectionResponse, error) {
	c := callOf(ctx)
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	d, err := s.lookupConnection(c.p, in.Name)
	if err != nil {
		return nil, err
	}
	if err := s.deleteDoc(ctx, "events_connections", c.p, d.Name); err != nil {
		return nil, err
	}
	delete(s.api.connsOf(c.p), d.Name)
	delete(s.api.tokens, d.ARN)
	delete(s.api.fetching, d.ARN)
	return &eventsapi.DeleteConnectionResponse{ConnectionArn: shape.Ptr(d.ARN), ConnectionState: shape.Ptr(eventsapi.ConnectionStateDeleting),
		CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified), LastAuthorizedTime: msTime(d.Authorized)}, nil
}

// DeauthorizeConnection removes the connection's authorization parameters
// (AWS: "Removes all authorization parameters from the connection. This
// lets you remove the secret from the connection so you can reuse it
// without having to create a new connection"). Invocations through it fail
// until UpdateConnection gives new ones. AWS answers DEAUTHORIZING; the
// change is immediate here, so the answer is DEAUTHORIZED.
func (s *Service) DeauthorizeConnection(ctx context.Context, in *eventsapi.DeauthorizeConnectionRequest) (*eventsapi.DeauthorizeConnectionResponse, error) {
	c := callOf(ctx)
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	old, err := s.lookupConnection(c.p, in.Name)
	if err != nil {
		return nil, err
	}
	d := *old
	d.Auth = auth{Invocation: old.Auth.Invocation}
	d.State, d.StateReason = eventsapi.ConnectionStateDeauthorized, "Connection deauthorized by DeauthorizeConnection."
	d.Modified = s.clock.Now().UnixMilli()
	if err := s.saveDoc(ctx, "events_connections", c.p, d.Name, &d); err != nil {
		return nil, err
	}
	s.api.connsOf(c.p)[d.Name] = &d
	delete(s.api.tokens, d.ARN)
	return &eventsapi.DeauthorizeConnectionResponse{ConnectionArn: shape.Ptr(d.ARN), ConnectionState: shape.Ptr(d.State),
		CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified), LastAuthorizedTime: msTime(d.Authorized)}, nil
}
