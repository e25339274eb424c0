package config

import (
	"fmt"
	"net/url"

	yamlv3 "go.yaml.in/yaml/v3"
)

const redacted = "[redacted]"

// Redacted returns a copy safe to print or log: the secret key and the
// passwords inside connection URLs are replaced.
func (c Config) Redacted() Config {
	r := c
	if r.SecretKey != "" {
		r.SecretKey = redacted
	}
	r.Database.URL = RedactURL(r.Database.URL)
	r.RabbitMQ.URL = RedactURL(r.RabbitMQ.URL)
	r.Redis.URL = RedactURL(r.Redis.URL)
	r.Roles = append([]string(nil), c.Roles...)
	r.Mail.SMTPURL = RedactURL(r.Mail.SMTPURL)
	if r.Secrets.MasterKey != "" {
		r.Secrets.MasterKey = redacted
	}
	r.Secrets.PreviousMasterKeys = make([]string, len(c.Secrets.PreviousMasterKeys))
	for i := range r.Secrets.PreviousMasterKeys {
		r.Secrets.PreviousMasterKeys[i] = redacted
	}
	for _, p := range []*OAuthProviderConfig{&r.Auth.Google, &r.Auth.Microsoft, &r.Auth.GitHub} {
		if p.ClientSecret != "" {
			p.ClientSecret = redacted
		}
	}
	return r
}

// RedactURL hides the password of a URL, and any password query parameter.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	changed := false
	for _, k := range []string{"password", "pass", "sslpassword"} {
		if q.Has(k) {
			q.Set(k, "xxxxx")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// YAML renders the configuration, redacted, in the shape of config.example.yaml.
func (c Config) YAML() ([]byte, error) {
	b, err := yamlv3.Marshal(c.Redacted())
	if err != nil {
		return nil, fmt.Errorf("config: marshal: %w", err)
	}
	return b, nil
}
