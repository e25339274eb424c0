package secrets_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
)

// BenchmarkGet is what a workflow's secrets.get() costs: finding the
// secret (organization, else global), decrypting it under the cached data
// key, and the audit entry.
func BenchmarkGet(b *testing.B) {
	app := apitest.New(b, apitest.Options{})
	admin := app.Setup()
	org := uuid.MustParse(app.Org(admin, "Alpha", ""))
	admin.InOrg(org.String()).Must(http.StatusCreated, "POST", "/api/secrets", map[string]string{"name": "api_key", "value": "a value"}, nil)
	ctx := app.AsAdmin(&org)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := app.Secrets.Get(ctx, "api_key"); err != nil {
			b.Fatal(err)
		}
	}
}
