package httpx

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/labstack/echo/v5"
)

// docsPage is the browsable API reference. It renders /api/openapi.json
// with its one inline script, allowed by hash and nothing else.
//
//go:embed docs.html
var docsPage string

var docsCSP = func() string {
	m := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindStringSubmatch(docsPage)
	script := ""
	if m != nil {
		script = m[1]
	}
	sum := sha256.Sum256([]byte(script))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	return strings.Replace(contentSecurityPolicy, "script-src 'self'", "script-src "+hash, 1)
}()

func registerDocs(api *API) {
	docOnce := sync.OnceValues(api.DocumentJSON)
	api.Add(Route{
		Method: http.MethodGet, Path: "/api/openapi.json", OperationID: "getOpenAPI", Tags: []string{"system"}, Public: true,
		Summary:     "OpenAPI document",
		Description: "This document: every route of the API, generated from the same registrations that build the router.",
		Output:      map[string]any{},
		Handler: func(c *echo.Context) error {
			// Routes are fixed once the server runs: build the document once.
			b, err := docOnce()
			if err != nil {
				return err
			}
			return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
		},
	})
	api.Add(Route{
		Method: http.MethodGet, Path: "/api/docs", OperationID: "getAPIDocs", Tags: []string{"system"}, Public: true,
		Summary: "API reference", Description: "A browsable page that renders the OpenAPI document.",
		ContentType: "text/html",
		Handler: func(c *echo.Context) error {
			c.Response().Header().Set("Content-Security-Policy", docsCSP)
			return c.HTML(http.StatusOK, docsPage)
		},
	})
}
