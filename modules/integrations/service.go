package integrations

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/modules/secrets"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// Integration is a connection as the API shows it: never a secret or token.
type Integration struct {
	ID               uuid.UUID         `json:"id"`
	OrganizationID   *uuid.UUID        `json:"organization_id" doc:"null for a global integration, which every organization's workflows can use."`
	Name             string            `json:"name" doc:"What workflows pass to oauth.get() / integrations.get()."`
	Description      string            `json:"description"`
	Flow             string            `json:"flow" enum:"authorization_code,client_credentials,refresh_token"`
	ClientID         string            `json:"client_id"`
	HasClientSecret  bool              `json:"has_client_secret"`
	AuthorizationURL string            `json:"authorization_url"`
	TokenURL         string            `json:"token_url"`
	Scopes           []string          `json:"scopes"`
	Params           map[string]string `json:"params" doc:"Extra parameters sent to the provider (audience, resource, prompt, …)."`
	UsePKCE          bool              `json:"use_pkce" doc:"Authorization code flow with PKCE (S256)."`
	TestURL          string            `json:"test_url" doc:"A URL that \"Test\" calls with the token (for example https://graph.microsoft.com/v1.0/organization)."`
	RedirectURI      string            `json:"redirect_uri" doc:"The callback address to register at the provider."`
	Status           string            `json:"status" enum:"not_connected,waiting_callback,testing,completed,failed"`
	StatusMessage    string            `json:"status_message" doc:"Why the connection failed, when it did."`
	ExpiresAt        *time.Time        `json:"expires_at" doc:"When the current access token expires."`
	LastRefreshedAt  *time.Time        `json:"last_refreshed_at"`
	Inherited        bool              `json:"inherited" doc:"A global integration seen from an organization."`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

func (m *Module) toIntegration(p *provider, t *token, scope *uuid.UUID) Integration {
	out := Integration{ID: p.ID, OrganizationID: p.OrganizationID, Name: p.Name, Description: p.Description, Flow: p.Flow,
		ClientID: p.ClientID, HasClientSecret: len(p.EncryptedClientSecret) > 0, AuthorizationURL: p.AuthorizationURL,
		TokenURL: p.TokenURL, Scopes: p.Scopes, Params: params(p), UsePKCE: usePKCE(p), TestURL: testURL(p), Status: p.Status,
		StatusMessage: p.StatusMessage, RedirectURI: m.redirectURL(), Inherited: scope != nil && p.OrganizationID == nil, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	if t != nil {
		out.ExpiresAt, out.LastRefreshedAt = t.ExpiresAt, t.LastRefreshedAt
	}
	return out
}

func params(p *provider) map[string]string {
	out := map[string]string{}
	if m, ok := p.Metadata["params"].(map[string]any); ok {
		for k, v := range m {
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
	}
	return out
}

func testURL(p *provider) string {
	s, _ := p.Metadata["test_url"].(string)
	return s
}

func usePKCE(p *provider) bool {
	v, ok := p.Metadata["use_pkce"].(bool)
	return !ok || v
}

var nameRe = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,100}$`)

// Input is a new integration or changes to one.
type Input struct {
	OrganizationID   *uuid.UUID
	Name             *string
	Description      *string
	Flow             *string
	ClientID         *string
	ClientSecret     *string
	AuthorizationURL *string
	TokenURL         *string
	Scopes           []string
	Params           map[string]string
	UsePKCE          *bool
	TestURL          *string
	// RefreshToken starts a refresh_token-flow connection.
	RefreshToken *string
}

func invalid(fields ...errs.FieldError) error {
	return errs.Invalid("integrations.invalid", "The integration has invalid fields.", fields...)
}

func (m *Module) checkURL(field, raw string, required bool) *errs.FieldError {
	if raw == "" {
		if required {
			return &errs.FieldError{Field: field, Code: "required", Message: "is required"}
		}
		return nil
	}
	u, err := url.Parse(raw)
	secure := u != nil && u.Scheme == "https"
	plainOK := u != nil && m.allowHTTP && u.Scheme == "http"
	if err != nil || u.Host == "" || (!secure && !plainOK) {
		msg := "must be an https URL"
		if m.allowHTTP {
			msg = "must be an http or https URL"
		}
		return &errs.FieldError{Field: field, Code: "url", Message: msg}
	}
	return nil
}

func (m *Module) apply(p *provider, in Input) error {
	var fields []errs.FieldError
	if in.Name != nil {
		p.Name = strings.TrimSpace(*in.Name)
		if !nameRe.MatchString(p.Name) {
			fields = append(fields, errs.FieldError{Field: "name", Code: "format", Message: "must be 1 to 100 letters, digits, dashes or underscores"})
		}
	}
	if in.Description != nil {
		p.Description = strings.TrimSpace(*in.Description)
	}
	if in.Flow != nil {
		p.Flow = *in.Flow
	}
	if !slices.Contains([]string{FlowAuthorizationCode, FlowClientCredentials, FlowRefreshToken}, p.Flow) {
		fields = append(fields, errs.FieldError{Field: "flow", Code: "oneof", Message: "must be authorization_code, client_credentials or refresh_token"})
	}
	if in.ClientID != nil {
		p.ClientID = strings.TrimSpace(*in.ClientID)
	}
	if p.ClientID == "" {
		fields = append(fields, errs.FieldError{Field: "client_id", Code: "required", Message: "is required"})
	}
	if in.AuthorizationURL != nil {
		p.AuthorizationURL = strings.TrimSpace(*in.AuthorizationURL)
	}
	if in.TokenURL != nil {
		p.TokenURL = strings.TrimSpace(*in.TokenURL)
	}
	if f := m.checkURL("authorization_url", p.AuthorizationURL, p.Flow == FlowAuthorizationCode); f != nil {
		fields = append(fields, *f)
	}
	if f := m.checkURL("token_url", p.TokenURL, true); f != nil {
		fields = append(fields, *f)
	}
	if in.Scopes != nil {
		p.Scopes = []string{}
		for _, s := range in.Scopes {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(p.Scopes, s) {
				p.Scopes = append(p.Scopes, s)
			}
		}
	}
	if p.Metadata == nil {
		p.Metadata = map[string]any{}
	}
	if in.Params != nil {
		pm := map[string]any{}
		for k, v := range in.Params {
			pm[k] = v
		}
		p.Metadata["params"] = pm
	}
	if in.UsePKCE != nil {
		p.Metadata["use_pkce"] = *in.UsePKCE
	}
	if in.TestURL != nil {
		p.Metadata["test_url"] = strings.TrimSpace(*in.TestURL)
		if f := m.checkURL("test_url", testURL(p), false); f != nil {
			fields = append(fields, *f)
		}
	}
	if len(fields) > 0 {
		return invalid(fields...)
	}
	return nil
}

func secretAAD(id uuid.UUID) string { return "integration|" + id.String() + "|client_secret" }
func accessAAD(id uuid.UUID) string { return "integration|" + id.String() + "|access_token" }
func refreshAAD(id uuid.UUID) string {
	return "integration|" + id.String() + "|refresh_token"
}

// Create adds an integration in the request's scope. A client-credentials
// or refresh-token connection fetches its first token at once.
func (m *Module) Create(ctx context.Context, in Input) (*Integration, error) {
	if err := m.require(ctx); err != nil {
		return nil, err
	}
	org, err := orgFor(ctx, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	p := &provider{ID: uuid.New(), OrganizationID: org, Status: StatusNotConnected, Scopes: []string{}, Metadata: map[string]any{}}
	if in.Name == nil {
		return nil, invalid(errs.FieldError{Field: "name", Code: "required", Message: "is required"})
	}
	if err := m.apply(p, in); err != nil {
		return nil, err
	}
	if in.ClientSecret != nil && *in.ClientSecret != "" {
		sealed, err := m.vault.Seal(ctx, org, secretAAD(p.ID), []byte(*in.ClientSecret))
		if err != nil {
			return nil, err
		}
		p.EncryptedClientSecret, p.DataKeyID = sealed.Ciphertext, &sealed.DataKeyID
	}
	if p.Flow == FlowRefreshToken && (in.RefreshToken == nil || *in.RefreshToken == "") {
		return nil, invalid(errs.FieldError{Field: "refresh_token", Code: "required", Message: "is required for the refresh_token flow"})
	}
	if pr := httpx.PrincipalFrom(ctx); pr != nil {
		p.CreatedBy, p.UpdatedBy = &pr.UserID, &pr.UserID
	}
	if _, err := m.db.NewInsert().Model(p).Returning("*").Exec(ctx); err != nil {
		if db.IsUniqueViolation(err, "oauth_providers_name_key") {
			return nil, errNameTaken
		}
		return nil, fmt.Errorf("integrations: insert: %w", err)
	}
	m.record(ctx, app.AuditEvent{OrganizationID: org, Action: "integrations.created", ResourceType: "integration", ResourceID: p.ID.String(),
		Details: map[string]any{"name": p.Name, "flow": p.Flow}})
	switch p.Flow {
	case FlowClientCredentials:
		_, _ = m.refresh(ctx, p.ID, farFuture)
	case FlowRefreshToken:
		_, _ = m.connectWithRefreshToken(ctx, p, *in.RefreshToken)
	}
	return m.Get(ctx, p.ID)
}

// orgFor decides which organization a new integration belongs to.
func orgFor(ctx context.Context, asked *uuid.UUID) (*uuid.UUID, error) {
	p, scope := httpx.PrincipalFrom(ctx), httpx.ScopeFrom(ctx)
	if asked == nil {
		return scope.OrganizationID, nil
	}
	if p != nil && !p.IsSuperuser && (p.OrganizationID == nil || *asked != *p.OrganizationID) {
		return nil, errs.Forbidden("auth.organization_forbidden", "You can only act in your own organization.")
	}
	if scope.OrganizationID != nil && *scope.OrganizationID != *asked {
		return nil, invalid(errs.FieldError{Field: "organization_id", Code: "scope", Message: "must match X-Organization-Id"})
	}
	return asked, nil
}

// visible returns an integration of the request's scope; global ones are
// visible (read-only) from an organization.
func (m *Module) visible(ctx context.Context, id uuid.UUID, writable bool) (*provider, error) {
	p, err := m.getProvider(ctx, m.db, id)
	if err != nil {
		return nil, err
	}
	org := httpx.ScopeFrom(ctx).OrganizationID
	switch {
	case p.OrganizationID == nil && org == nil:
	case p.OrganizationID == nil && !writable:
	case p.OrganizationID != nil && org != nil && *p.OrganizationID == *org:
	default:
		return nil, errNotFound
	}
	return p, nil
}

// Get returns an integration of the request's scope.
func (m *Module) Get(ctx context.Context, id uuid.UUID) (*Integration, error) {
	p, err := m.visible(ctx, id, false)
	if err != nil {
		return nil, err
	}
	t, _, err := m.getToken(ctx, m.db, p.ID)
	if err != nil {
		return nil, err
	}
	out := m.toIntegration(p, t, httpx.ScopeFrom(ctx).OrganizationID)
	return &out, nil
}

// List returns the integrations of the request's scope, with the global
// ones when the scope is an organization.
func (m *Module) List(ctx context.Context) ([]Integration, error) {
	org := httpx.ScopeFrom(ctx).OrganizationID
	var rows []provider
	q := m.db.NewSelect().Model(&rows).OrderExpr("provider_name, organization_id NULLS LAST")
	if org == nil {
		q = q.Where("organization_id IS NULL")
	} else {
		q = q.Where("(organization_id = ? OR organization_id IS NULL)", *org)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("integrations: list: %w", err)
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var toks []token
	if len(ids) > 0 {
		if err := m.db.NewSelect().Model(&toks).ExcludeColumn("access_token_encrypted", "refresh_token_encrypted").
			Where("provider_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("integrations: list tokens: %w", err)
		}
	}
	byProvider := map[uuid.UUID]*token{}
	for i := range toks {
		byProvider[toks[i].ProviderID] = &toks[i]
	}
	out := make([]Integration, 0, len(rows))
	for i := range rows {
		if i > 0 && rows[i].Name == rows[i-1].Name {
			continue // the organization's own shadows the global one
		}
		out = append(out, m.toIntegration(&rows[i], byProvider[rows[i].ID], org))
	}
	return out, nil
}

// Update changes an integration. Changing where or how it connects drops
// its tokens: it must connect again.
func (m *Module) Update(ctx context.Context, id uuid.UUID, in Input) (*Integration, error) {
	if err := m.require(ctx); err != nil {
		return nil, err
	}
	p, err := m.visible(ctx, id, true)
	if err != nil {
		return nil, err
	}
	before := *p
	if err := m.apply(p, in); err != nil {
		return nil, err
	}
	if in.ClientSecret != nil {
		if *in.ClientSecret == "" {
			p.EncryptedClientSecret = nil
		} else {
			sealed, err := m.vault.Seal(ctx, p.OrganizationID, secretAAD(p.ID), []byte(*in.ClientSecret))
			if err != nil {
				return nil, err
			}
			p.EncryptedClientSecret, p.DataKeyID = sealed.Ciphertext, &sealed.DataKeyID
		}
	}
	reconnect := before.Flow != p.Flow || before.ClientID != p.ClientID || before.TokenURL != p.TokenURL ||
		before.AuthorizationURL != p.AuthorizationURL || !slices.Equal(before.Scopes, p.Scopes) || in.ClientSecret != nil
	if reconnect {
		p.Status, p.StatusMessage = StatusNotConnected, ""
	}
	if pr := httpx.PrincipalFrom(ctx); pr != nil {
		p.UpdatedBy = &pr.UserID
	}
	_, err = m.db.NewUpdate().Model(p).Column("provider_name", "description", "flow", "client_id", "encrypted_client_secret",
		"authorization_url", "token_url", "scopes", "metadata", "data_key_id", "status", "status_message", "updated_by").
		WherePK().Returning("*").Exec(ctx)
	if err != nil {
		if db.IsUniqueViolation(err, "oauth_providers_name_key") {
			return nil, errNameTaken
		}
		return nil, fmt.Errorf("integrations: update: %w", err)
	}
	if reconnect {
		if _, err := m.db.NewDelete().Model((*token)(nil)).Where("provider_id = ?", p.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("integrations: drop tokens: %w", err)
		}
		if in.RefreshToken != nil && *in.RefreshToken != "" && p.Flow == FlowRefreshToken {
			_, _ = m.connectWithRefreshToken(ctx, p, *in.RefreshToken)
		} else if p.Flow == FlowClientCredentials {
			_, _ = m.refresh(ctx, p.ID, farFuture)
		}
	}
	m.record(ctx, app.AuditEvent{OrganizationID: p.OrganizationID, Action: "integrations.updated", ResourceType: "integration", ResourceID: p.ID.String(),
		Details: map[string]any{"name": p.Name, "reconnect": reconnect}})
	return m.Get(ctx, p.ID)
}

// Delete removes an integration and its tokens.
func (m *Module) Delete(ctx context.Context, id uuid.UUID) error {
	if err := m.require(ctx); err != nil {
		return err
	}
	p, err := m.visible(ctx, id, true)
	if err != nil {
		return err
	}
	if _, err := m.db.NewDelete().Model((*provider)(nil)).Where("id = ?", p.ID).Exec(ctx); err != nil {
		return fmt.Errorf("integrations: delete: %w", err)
	}
	m.record(ctx, app.AuditEvent{OrganizationID: p.OrganizationID, Action: "integrations.deleted", ResourceType: "integration", ResourceID: p.ID.String(),
		Details: map[string]any{"name": p.Name}})
	return nil
}

func (m *Module) clientSecret(ctx context.Context, p *provider) (string, error) {
	if len(p.EncryptedClientSecret) == 0 || p.DataKeyID == nil {
		return "", nil
	}
	b, err := m.vault.Open(ctx, p.OrganizationID, secretAAD(p.ID), secrets.SealedValue{Ciphertext: p.EncryptedClientSecret, DataKeyID: *p.DataKeyID})
	if err != nil {
		return "", errs.Internal(fmt.Errorf("integrations: decrypt client secret of %s: %w", p.ID, err))
	}
	return string(b), nil
}
