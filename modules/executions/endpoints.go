package executions

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// Workflows with endpoint_enabled=True are callable over HTTP at
// /api/endpoints/{name}, authenticated by workflow API keys unless they
// are public_endpoint=True.

const keyPrefix = "bfk_"

type keyRow struct {
	bun.BaseModel `bun:"table:workflow_keys"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	Name           string     `bun:"name,notnull"`
	Prefix         string     `bun:"prefix,notnull"`
	KeyHash        []byte     `bun:"key_hash,notnull"`
	WorkflowName   *string    `bun:"workflow_name"`
	OrganizationID *uuid.UUID `bun:"organization_id,type:uuid"`
	CreatedBy      *uuid.UUID `bun:"created_by,type:uuid"`
	ExpiresAt      *time.Time `bun:"expires_at"`
	RevokedAt      *time.Time `bun:"revoked_at"`
	LastUsedAt     *time.Time `bun:"last_used_at"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// Key is a workflow API key as the API shows it: never the secret.
type Key struct {
	ID             uuid.UUID  `json:"id"`
	Name           string     `json:"name"`
	Prefix         string     `json:"prefix" doc:"The first characters of the key, to recognise it."`
	WorkflowName   *string    `json:"workflow_name" doc:"The workflow it calls; null for a global key (every endpoint that accepts global keys)."`
	OrganizationID *uuid.UUID `json:"organization_id" doc:"The organization its runs are for; null runs in the global scope."`
	CreatedBy      *uuid.UUID `json:"created_by"`
	ExpiresAt      *time.Time `json:"expires_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
	LastUsedAt     *time.Time `json:"last_used_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

func toKey(k *keyRow) Key {
	return Key{ID: k.ID, Name: k.Name, Prefix: k.Prefix, WorkflowName: k.WorkflowName, OrganizationID: k.OrganizationID,
		CreatedBy: k.CreatedBy, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, LastUsedAt: k.LastUsedAt, CreatedAt: k.CreatedAt}
}

// CreateKeyRequest makes a key.
type CreateKeyRequest struct {
	Name           string     `json:"name" validate:"required,max=100"`
	WorkflowName   *string    `json:"workflow_name,omitempty" doc:"Limit the key to this workflow; omitted makes a global key."`
	OrganizationID *uuid.UUID `json:"organization_id,omitempty" doc:"The organization the key's runs are for; defaults to X-Organization-Id, or global."`
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
}

// CreatedKey is a new key: the only time the secret is shown.
type CreatedKey struct {
	Key
	Secret string `json:"key" doc:"The key itself: send it as X-Bifrost-Key (or Authorization: Bearer). It is not shown again."`
}

// KeysResponse lists keys.
type KeysResponse struct {
	Items []Key `json:"items"`
}

// KeyIDRequest names a key.
type KeyIDRequest struct {
	ID string `param:"id"`
}

// EndpointRequest is a call of an HTTP-triggered workflow.
type EndpointRequest struct {
	Name string `param:"name"`
}

func hashKey(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

func (m *Module) endpointRoutes(api *httpx.API) {
	tag := []string{"endpoints"}
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/workflow-keys", OperationID: "createWorkflowKey", Tags: tag,
		Summary: "Create a workflow API key", Description: "The answer holds the key itself, once; only its hash is stored.",
		AdminOnly: true, Status: http.StatusCreated},
		func(c *echo.Context, in *CreateKeyRequest) (*CreatedKey, error) {
			ctx := c.Request().Context()
			b := make([]byte, 32)
			_, _ = rand.Read(b)
			secret := keyPrefix + base64.RawURLEncoding.EncodeToString(b)
			k := &keyRow{ID: uuid.New(), Name: strings.TrimSpace(in.Name), Prefix: secret[:len(keyPrefix)+6], KeyHash: hashKey(secret),
				WorkflowName: in.WorkflowName, OrganizationID: in.OrganizationID, ExpiresAt: in.ExpiresAt}
			if k.OrganizationID == nil {
				k.OrganizationID = httpx.ScopeFrom(ctx).OrganizationID
			}
			if p := httpx.PrincipalFrom(ctx); p != nil {
				k.CreatedBy = &p.UserID
			}
			if k.WorkflowName != nil {
				if _, err := m.reg.Definition(ctx, workflows.KindWorkflow, *k.WorkflowName); err != nil {
					return nil, errs.Invalid("workflow_keys.invalid", "The key names no workflow.",
						errs.FieldError{Field: "workflow_name", Code: "not_found", Message: "is not a workflow"})
				}
			}
			if _, err := m.db.NewInsert().Model(k).Returning("created_at").Exec(ctx); err != nil {
				return nil, fmt.Errorf("executions: create key: %w", err)
			}
			m.record(ctx, app.AuditEvent{OrganizationID: k.OrganizationID, Action: "workflow_keys.created", ResourceType: "workflow_key",
				ResourceID: k.ID.String(), Details: map[string]any{"name": k.Name, "workflow": k.WorkflowName}})
			return &CreatedKey{Key: toKey(k), Secret: secret}, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/workflow-keys", OperationID: "listWorkflowKeys", Tags: tag,
		Summary: "List workflow API keys (never the keys themselves)", AdminOnly: true},
		func(c *echo.Context, _ *httpx.Empty) (*KeysResponse, error) {
			var rows []keyRow
			if err := m.db.NewSelect().Model(&rows).OrderExpr("created_at DESC").Scan(c.Request().Context()); err != nil {
				return nil, fmt.Errorf("executions: list keys: %w", err)
			}
			out := &KeysResponse{Items: make([]Key, len(rows))}
			for i := range rows {
				out.Items[i] = toKey(&rows[i])
			}
			return out, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodDelete, Path: "/api/workflow-keys/:id", OperationID: "revokeWorkflowKey", Tags: tag,
		Summary: "Revoke a workflow API key", Description: "It stops working at once; it stays listed as revoked.", AdminOnly: true},
		func(c *echo.Context, in *KeyIDRequest) (*httpx.Empty, error) {
			id, err := uuid.Parse(in.ID)
			if err != nil {
				return nil, errKeyNotFound
			}
			ctx := c.Request().Context()
			res, err := m.db.NewUpdate().Model((*keyRow)(nil)).Set("revoked_at = now()").Where("id = ? AND revoked_at IS NULL", id).Exec(ctx)
			if err != nil {
				return nil, fmt.Errorf("executions: revoke key: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil, errKeyNotFound
			}
			m.record(ctx, app.AuditEvent{Action: "workflow_keys.revoked", ResourceType: "workflow_key", ResourceID: id.String()})
			return nil, nil
		})
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		api.Add(httpx.Route{Method: method, Path: "/api/endpoints/:name", OperationID: "callEndpoint" + strings.ToUpper(method[:1]) + strings.ToLower(method[1:]),
			Tags: tag, Public: true,
			Summary: "Call an HTTP-triggered workflow (" + method + ")",
			Description: "For workflows with endpoint_enabled=True and this method among allowed_methods (otherwise 405). The query string " +
				"and a JSON body are merged into the inputs. Authenticate with a workflow API key (X-Bifrost-Key, X-Functions-Key, " +
				"Authorization: Bearer, or ?code=) unless the workflow is public_endpoint. Sync workflows answer 200 with the result, " +
				"async ones 202 with the execution's id.",
			Input: EndpointRequest{}, Output: ExecuteResponse{}, Status: http.StatusOK,
			Errors:  []int{http.StatusUnauthorized, http.StatusMethodNotAllowed, http.StatusUnprocessableEntity},
			Handler: m.callEndpoint})
	}
}

var (
	errKeyNotFound = errs.NotFound("workflow_keys.not_found", "No workflow API key has this id.")
	errNoEndpoint  = errs.NotFound("endpoints.not_found", "No workflow is callable at this address.")
	errBadKey      = errs.Unauthenticated("endpoints.invalid_key", "A valid workflow API key is needed (X-Bifrost-Key).")
)

// endpointKey returns the key a request carries.
func endpointKey(r *http.Request) string {
	for _, h := range []string{"X-Bifrost-Key", "X-Functions-Key"} {
		if v := strings.TrimSpace(r.Header.Get(h)); v != "" {
			return v
		}
	}
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.HasPrefix(v, keyPrefix) {
		return strings.TrimSpace(v)
	}
	return r.URL.Query().Get("code")
}

// callEndpoint runs an endpoint-enabled workflow for an HTTP request.
func (m *Module) callEndpoint(c *echo.Context) error {
	req := c.Request()
	ctx := req.Context()
	name := c.Param("name")
	def, err := m.reg.Definition(ctx, workflows.KindWorkflow, name)
	if err != nil || !def.Endpoint {
		return errNoEndpoint
	}
	allowed := false
	for _, meth := range def.Methods {
		if strings.EqualFold(meth, req.Method) {
			allowed = true
		}
	}
	if !allowed {
		c.Response().Header().Set("Allow", strings.Join(def.Methods, ", "))
		return errs.New(errs.KindMethodNotAllowed, "endpoints.method_not_allowed", fmt.Sprintf("%s does not accept %s.", name, req.Method))
	}
	in := SubmitInput{Name: name, Trigger: "endpoint", Inputs: map[string]any{}}
	actor := &httpx.Principal{Email: "endpoint:" + name, Name: "HTTP endpoint", Method: "key"}
	scope := httpx.Scope{}
	if !def.Public {
		secret := endpointKey(req)
		if secret == "" {
			return errBadKey
		}
		k := new(keyRow)
		err := m.db.NewSelect().Model(k).Where("key_hash = ?", hashKey(secret)).Scan(ctx)
		if err != nil {
			if db.IsNoRows(err) {
				return errBadKey
			}
			return fmt.Errorf("executions: read key: %w", err)
		}
		switch {
		case k.RevokedAt != nil:
			return errs.Unauthenticated("endpoints.key_revoked", "This workflow API key was revoked.")
		case k.ExpiresAt != nil && time.Now().After(*k.ExpiresAt):
			return errs.Unauthenticated("endpoints.key_expired", "This workflow API key has expired.")
		case k.WorkflowName != nil && *k.WorkflowName != name:
			return errs.Forbidden("endpoints.key_not_for_workflow", "This key is for another workflow.")
		case k.WorkflowName == nil && def.NoGlobalKey:
			return errs.Forbidden("endpoints.global_key_refused", "This workflow accepts only keys made for it.")
		}
		// Last use to the minute: a busy endpoint does not write on every call.
		if k.LastUsedAt == nil || time.Since(*k.LastUsedAt) > time.Minute {
			_, _ = m.db.NewUpdate().Model((*keyRow)(nil)).Set("last_used_at = now()").Where("id = ?", k.ID).Exec(ctx)
		}
		in.APIKeyID = &k.ID
		actor.Name = "API key " + k.Name
		actor.IsSuperuser = true // a key acts for the platform, in its organization
		if k.CreatedBy != nil {
			actor.UserID = *k.CreatedBy
		}
		scope.OrganizationID = k.OrganizationID
	}
	// Inputs: the query string, then a JSON body over it.
	for k, v := range req.URL.Query() {
		if k == "code" {
			continue
		}
		if len(v) == 1 {
			in.Inputs[k] = v[0]
		} else {
			list := make([]any, len(v))
			for i, s := range v {
				list[i] = s
			}
			in.Inputs[k] = list
		}
	}
	if req.Body != nil && req.ContentLength != 0 {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return errs.Malformed("request.unreadable", "The request body could not be read.")
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			var fields map[string]any
			if err := json.Unmarshal(body, &fields); err != nil {
				return errs.Malformed("request.malformed_json", "The body must be a JSON object of inputs.")
			}
			for k, v := range fields {
				in.Inputs[k] = v
			}
		}
	}
	in.Actor, in.Scope = actor, &scope
	sub, err := m.Submit(ctx, in)
	if err != nil {
		return err
	}
	e := sub.exec
	if def.ExecutionMode == "sync" {
		limit := min(m.cfg.SyncTimeout.D(), time.Duration(e.TimeoutSeconds)*time.Second+5*time.Second)
		ended, done, err := m.wait(ctx, e.ID, limit)
		if err != nil {
			return err
		}
		if done {
			return c.JSON(http.StatusOK, answer(ended, false))
		}
		e = ended
	}
	c.Response().Header().Set("Location", "/api/executions/"+e.ID.String())
	return c.JSON(http.StatusAccepted, answer(e, false))
}
