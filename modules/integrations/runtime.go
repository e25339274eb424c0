package integrations

import (
	"context"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// The calls a running workflow makes (the SDK's oauth and integrations
// modules), with the execution's identity and organization in ctx.

// RuntimeCredentials returns fresh credentials, or nil when no integration
// has the name.
func (m *Module) RuntimeCredentials(ctx context.Context, name string) (any, error) {
	c, err := m.Credentials(ctx, name)
	if errs.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// RuntimeRefresh gets a new token now and returns the credentials, or nil
// when no integration has the name.
func (m *Module) RuntimeRefresh(ctx context.Context, name string) (any, error) {
	c, err := m.RefreshByName(ctx, name)
	if errs.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// RuntimeNames returns the names of the integrations usable in the
// organization (its own and the global ones).
func (m *Module) RuntimeNames(ctx context.Context) ([]string, error) {
	items, err := m.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out, nil
}
