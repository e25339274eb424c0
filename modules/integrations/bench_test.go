package integrations_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

// BenchmarkCredentials is what a workflow's oauth.get() costs when the
// stored token is fresh: finding the integration (organization, else
// global), reading and decrypting the token and the client secret, and the
// audit entry. No call reaches the provider.
func BenchmarkCredentials(b *testing.B) {
	app := apitest.New(b, apitest.Options{})
	provider := testenv.NewOAuthServer(b)
	admin := app.Setup()
	org := uuid.MustParse(app.Org(admin, "Alpha", ""))
	admin.Must(http.StatusCreated, "POST", "/api/integrations", map[string]any{
		"name": "Graph", "flow": "client_credentials", "client_id": provider.ClientID, "client_secret": provider.ClientSecret,
		"token_url": provider.TokenURL(),
	}, nil)
	ctx := app.AsAdmin(&org) // reads the global integration from an organization
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := app.Integrations.Credentials(ctx, "Graph"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := provider.Count("client_credentials"); n != 1 {
		b.Fatalf("the provider was asked %d times", n)
	}
}
