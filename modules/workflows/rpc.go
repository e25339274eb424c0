package workflows

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// ConfigService is what runs do with configuration (the config module).
type ConfigService interface {
	RuntimeGet(ctx context.Context, key string) (value any, found, secret bool, err error)
	RuntimeSet(ctx context.Context, key string, value json.RawMessage) error
	RuntimeList(ctx context.Context) (map[string]any, error)
	RuntimeDelete(ctx context.Context, key string) (bool, error)
}

// SecretService is what runs do with secrets (the secrets module).
type SecretService interface {
	RuntimeGet(ctx context.Context, name string) (value string, found bool, err error)
	RuntimeSet(ctx context.Context, name, value string) error
	RuntimeList(ctx context.Context) ([]string, error)
	RuntimeDelete(ctx context.Context, name string) (bool, error)
}

// IntegrationService is what runs do with OAuth integrations (the
// integrations module). Credentials are nil when no integration has the
// name.
type IntegrationService interface {
	RuntimeCredentials(ctx context.Context, name string) (any, error)
	RuntimeRefresh(ctx context.Context, name string) (any, error)
	RuntimeNames(ctx context.Context) ([]string, error)
}

// OrgService is what runs do with organizations and roles (the orgs
// module); every call is for platform admins.
type OrgService interface {
	RuntimeCall(ctx context.Context, method string, args json.RawMessage) (any, error)
}

// ExecutionService is what runs do with executions (the executions
// module): run another workflow, read past executions.
type ExecutionService interface {
	RuntimeExecute(ctx context.Context, name string, params map[string]any) (any, error)
	RuntimeList(ctx context.Context, workflow, status string, since, until *time.Time, limit int) (any, error)
	RuntimeGet(ctx context.Context, id string) (any, error)
}

// Services are the platform services runs reach through their socket.
type Services struct {
	Config       ConfigService
	Secrets      SecretService
	Integrations IntegrationService
	Orgs         OrgService
	Executions   ExecutionService
}

// callContext answers a run's calls with its identity and organization.
type callContext struct {
	services Services
	registry func() *Registry
	caller   Caller
	execID   string
}

// ctx is the context a call runs in: the caller as principal, the run's
// organization (or the one org_id names) as scope, the execution for the
// audit log.
func (cc *callContext) ctx(parent context.Context, orgID string) (context.Context, error) {
	p := &httpx.Principal{UserID: cc.caller.UserID, Email: cc.caller.Email, Name: cc.caller.Name,
		IsSuperuser: cc.caller.IsSuperuser, OrganizationID: cc.caller.UserOrganizationID, Method: "workflow"}
	var scope httpx.Scope
	if cc.caller.Organization != nil {
		id := cc.caller.Organization.ID
		scope.OrganizationID = &id
	}
	if orgID != "" && !strings.EqualFold(orgID, "global") {
		id, err := uuid.Parse(orgID)
		if err != nil {
			return nil, errs.Invalid("workflows.invalid_org", "org_id is not an organization id.")
		}
		if scope.OrganizationID == nil || *scope.OrganizationID != id {
			if !cc.caller.IsSuperuser {
				return nil, errs.Forbidden("auth.organization_forbidden", "Only platform admins can act on another organization.")
			}
			scope.OrganizationID = &id
		}
	}
	ctx := httpx.WithPrincipal(parent, p, scope)
	if cc.execID != "" {
		ctx = app.WithExecution(ctx, cc.execID)
	}
	return ctx, nil
}

type callArgs struct {
	Key         string          `json:"key"`
	Name        string          `json:"name"`
	Value       json.RawMessage `json:"value"`
	OrgID       string          `json:"org_id"`
	Params      map[string]any  `json:"params"`
	ExecutionID string          `json:"execution_id"`
	Workflow    string          `json:"workflow_name"`
	Status      string          `json:"status"`
	StartDate   *time.Time      `json:"start_date"`
	EndDate     *time.Time      `json:"end_date"`
	Limit       int             `json:"limit"`
}

// handle answers one call: {"result": ...} or {"error": {...}}.
func (cc *callContext) handle(parent context.Context, r *run, method string, raw json.RawMessage) map[string]any {
	var a callArgs
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a); err != nil {
			return replyError(errs.Malformed("workflows.bad_call", "The call's arguments are not readable."))
		}
	}
	ctx, err := cc.ctx(parent, a.OrgID)
	if err != nil {
		return replyError(err)
	}
	result, err := cc.dispatch(ctx, r, method, a, raw)
	if err != nil {
		if e, ok := errs.As(err); !ok || e.Kind == errs.KindInternal {
			r.pool.log.Error("workflows: a run's call failed", "method", method, "execution", cc.execID, "error", err)
		}
		return replyError(err)
	}
	return map[string]any{"result": result}
}

func unavailable(what string) error {
	return errs.Unavailable("workflows.not_available", what+" is not available on this server yet.")
}

func (cc *callContext) dispatch(ctx context.Context, r *run, method string, a callArgs, raw json.RawMessage) (any, error) {
	s := cc.services
	switch method {
	case "config.get":
		if s.Config == nil {
			return nil, unavailable("Configuration")
		}
		v, found, secret, err := s.Config.RuntimeGet(ctx, a.Key)
		if err != nil {
			return nil, err
		}
		if secret {
			if str, ok := v.(string); ok {
				r.remember(str)
			}
		}
		return map[string]any{"found": found, "value": v, "secret": secret}, nil
	case "config.set":
		if s.Config == nil {
			return nil, unavailable("Configuration")
		}
		return nil, s.Config.RuntimeSet(ctx, a.Key, a.Value)
	case "config.list":
		if s.Config == nil {
			return nil, unavailable("Configuration")
		}
		return s.Config.RuntimeList(ctx)
	case "config.delete":
		if s.Config == nil {
			return nil, unavailable("Configuration")
		}
		return s.Config.RuntimeDelete(ctx, a.Key)
	case "secrets.get":
		if s.Secrets == nil {
			return nil, unavailable("Secrets")
		}
		v, found, err := s.Secrets.RuntimeGet(ctx, a.Name)
		if err != nil {
			return nil, err
		}
		if found {
			r.remember(v)
		}
		return map[string]any{"found": found, "value": v}, nil
	case "secrets.set":
		if s.Secrets == nil {
			return nil, unavailable("Secrets")
		}
		var v string
		if err := json.Unmarshal(a.Value, &v); err != nil {
			return nil, errs.Invalid("secrets.invalid", "A secret's value must be a string.")
		}
		r.remember(v)
		return nil, s.Secrets.RuntimeSet(ctx, a.Name, v)
	case "secrets.list":
		if s.Secrets == nil {
			return nil, unavailable("Secrets")
		}
		return s.Secrets.RuntimeList(ctx)
	case "secrets.delete":
		if s.Secrets == nil {
			return nil, unavailable("Secrets")
		}
		return s.Secrets.RuntimeDelete(ctx, a.Name)
	case "oauth.get", "oauth.refresh":
		if s.Integrations == nil {
			return nil, unavailable("Integrations")
		}
		var creds any
		var err error
		if method == "oauth.get" {
			creds, err = s.Integrations.RuntimeCredentials(ctx, a.Name)
		} else {
			creds, err = s.Integrations.RuntimeRefresh(ctx, a.Name)
		}
		if err != nil || creds == nil {
			return nil, err
		}
		b, err := json.Marshal(creds)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		for _, k := range []string{"access_token", "refresh_token", "client_secret"} {
			if v, ok := m[k].(string); ok {
				r.remember(v)
			}
		}
		return m, nil
	case "oauth.list":
		if s.Integrations == nil {
			return nil, unavailable("Integrations")
		}
		return s.Integrations.RuntimeNames(ctx)
	case "workflows.list":
		reg := cc.registry()
		out := []map[string]any{}
		if reg != nil {
			for _, d := range reg.Workflows {
				out = append(out, map[string]any{"name": d.Name, "description": d.Description, "category": d.Category, "tags": d.Tags,
					"parameters": d.Parameters, "execution_mode": d.ExecutionMode})
			}
		}
		return out, nil
	case "workflows.execute":
		if s.Executions == nil {
			return nil, unavailable("Running another workflow")
		}
		return s.Executions.RuntimeExecute(ctx, a.Name, a.Params)
	case "executions.list":
		if s.Executions == nil {
			return nil, unavailable("Reading executions")
		}
		return s.Executions.RuntimeList(ctx, a.Workflow, a.Status, a.StartDate, a.EndDate, a.Limit)
	case "executions.get":
		if s.Executions == nil {
			return nil, unavailable("Reading executions")
		}
		return s.Executions.RuntimeGet(ctx, a.ExecutionID)
	case "forms.list", "forms.get":
		return nil, unavailable("Forms")
	}
	if strings.HasPrefix(method, "organizations.") || strings.HasPrefix(method, "roles.") {
		if s.Orgs == nil {
			return nil, unavailable("Organizations and roles")
		}
		return s.Orgs.RuntimeCall(ctx, method, raw)
	}
	return nil, errs.Newf(errs.KindNotFound, "workflows.unknown_call", "Bifrost has no %s call.", method)
}

// replyError turns an error into what the SDK raises: the kind picks the
// Python exception class.
func replyError(err error) map[string]any {
	e, ok := errs.As(err)
	if !ok {
		e = errs.Internal(err)
	}
	kind := "internal"
	switch e.Kind {
	case errs.KindForbidden:
		kind = "forbidden"
	case errs.KindUnauthenticated:
		kind = "unauthenticated"
	case errs.KindInvalid, errs.KindMalformed:
		kind = "invalid"
	case errs.KindNotFound:
		kind = "not_found"
	case errs.KindConflict:
		kind = "conflict"
	case errs.KindUnavailable:
		kind = "unavailable"
	case errs.KindBadGateway:
		kind = "integration"
	}
	if strings.HasPrefix(e.Code, "integrations.") && kind != "forbidden" {
		kind = "integration"
	}
	body := map[string]any{"kind": kind, "code": e.Code, "message": e.Message}
	if len(e.Fields) > 0 {
		fields := make([]map[string]string, len(e.Fields))
		for i, f := range e.Fields {
			fields[i] = map[string]string{"field": f.Field, "message": f.Message}
		}
		body["errors"] = fields
	}
	return map[string]any{"error": body}
}
