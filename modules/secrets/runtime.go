package secrets

import (
	"context"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// The calls a running workflow makes (the SDK's secrets module), with the
// execution's identity and organization in ctx.

// RuntimeGet reads a secret (the organization's, else the global one);
// found is false when there is none. The read is audited.
func (m *Module) RuntimeGet(ctx context.Context, name string) (string, bool, error) {
	v, err := m.Get(ctx, name)
	if errs.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return v, true, nil
}

// RuntimeSet creates or replaces the organization's secret.
func (m *Module) RuntimeSet(ctx context.Context, name, value string) error {
	return m.Set(ctx, name, value)
}

// RuntimeList returns the names of the secrets readable in the
// organization.
func (m *Module) RuntimeList(ctx context.Context) ([]string, error) {
	items, err := m.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = s.Name
	}
	return out, nil
}

// RuntimeDelete deletes the organization's secret; false when there was
// none.
func (m *Module) RuntimeDelete(ctx context.Context, name string) (bool, error) {
	err := m.DeleteByName(ctx, name)
	if errs.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}
