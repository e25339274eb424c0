package auth_test

import (
	"net/url"
	"testing"

	"github.com/bifrost-automation/bifrost/modules/auth"
	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/platform/config"
)

// option changes the configuration or the auth module's dependencies.
type option func(*config.Config, *auth.Deps)

// newApp runs the modules behind a real HTTP server on the test's own
// database and Redis prefix (apitest).
func newApp(t *testing.T, opts ...option) *apitest.App {
	t.Helper()
	return apitest.New(t, apitest.Options{
		Config: func(c *config.Config) {
			for _, o := range opts {
				o(c, &auth.Deps{})
			}
		},
		Auth: func(d *auth.Deps) {
			for _, o := range opts {
				o(&d.Config, d)
			}
		},
	})
}

// cookie returns a cookie the server set for the auth paths.
func cookie(c *apitest.Client, name string) string {
	u, _ := url.Parse(c.App.URL + "/api/auth/refresh")
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// csrf returns the header pair a browser's script sends on changes.
func csrf(c *apitest.Client) []string { return []string{auth.HeaderCSRF, cookie(c, auth.CookieCSRF)} }
