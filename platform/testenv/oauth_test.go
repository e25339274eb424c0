package testenv

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOAuthConsentPage submits the consent form as a browser would.
func TestOAuthConsentPage(t *testing.T) {
	t.Parallel()
	o := NewOAuthServer(t)
	q := url.Values{"response_type": {"code"}, "client_id": {o.ClientID}, "redirect_uri": {"https://app.example/cb?x=1"},
		"state": {"s&t=ate"}, "scope": {"a b"}}
	resp, err := http.Get(o.AuthorizeURL() + "?" + q.Encode())
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(string(page))
	require.NotNil(t, action, string(page))
	target := o.URL + html.UnescapeString(action[1]) // as a browser reads the attribute
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = client.PostForm(target, url.Values{"decision": {"allow"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "app.example", back.Host)
	require.Equal(t, "s&t=ate", back.Query().Get("state"))
	require.Equal(t, "1", back.Query().Get("x"))
	require.NotEmpty(t, back.Query().Get("code"))
}
