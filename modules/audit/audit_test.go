package audit

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/httpx"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

func TestRecordAndListByScope(t *testing.T) {
	t.Parallel()
	d := testenv.NewDB(t)
	m := New(Deps{DB: d.DB, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := context.Background()
	var orgA, orgB uuid.UUID
	for _, o := range []*uuid.UUID{&orgA, &orgB} {
		require.NoError(t, d.NewRaw("INSERT INTO organizations (name, slug) VALUES (?, ?) RETURNING id", "Org", uuid.NewString()[:8]).Scan(ctx, o))
	}

	// From the command line: no client address, user agent or request.
	require.NoError(t, m.Record(ctx, app.AuditEvent{ActorEmail: "bifrost user create", Action: "users.created"}))
	// From a request: filled in from the request's context.
	reqCtx := httpx.WithClient(ctx, httpx.ClientInfo{IP: "203.0.113.7", UserAgent: "Firefox", RequestID: "r1"})
	require.NoError(t, m.Record(reqCtx, app.AuditEvent{OrganizationID: &orgA, Action: "auth.login"}))
	require.NoError(t, m.Record(reqCtx, app.AuditEvent{OrganizationID: &orgB, Action: "auth.login", IPAddress: "2001:db8::1"}))

	all, err := m.store.list(ctx, filter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, all, 3, "platform admins see every organization")
	require.Equal(t, "auth.login", all[0].Action, "newest first")
	require.Nil(t, all[2].IPAddress)

	onlyA, err := m.store.list(ctx, filter{OrganizationID: &orgA, Limit: 10})
	require.NoError(t, err)
	require.Len(t, onlyA, 1)
	require.Equal(t, "203.0.113.7", onlyA[0].IPAddress.String())
	require.Equal(t, "Firefox", onlyA[0].UserAgent)
	require.Equal(t, "r1", onlyA[0].RequestID)

	page, err := m.store.list(ctx, filter{Limit: 1, BeforeTime: all[0].CreatedAt, BeforeID: all[0].ID})
	require.NoError(t, err)
	require.Equal(t, all[1].ID, page[0].ID, "the cursor continues after the last entry")
}
