package mail

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestFileMailerRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m, err := New("", "Bifrost <bifrost@example.com>", dir, quiet)
	require.NoError(t, err)
	link := "http://127.0.0.1:8000/reset-password?token=3DAF=E5" + strings.Repeat("x", 80)
	require.NoError(t, m.Send(context.Background(), Message{To: "Tess <tess@contoso.com>", Subject: "Réinitialiser", Text: "Open:\n" + link + "\n", HTML: "<p>x</p>"}))
	msgs, err := ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	require.Equal(t, "Réinitialiser", msgs[0].Subject)
	require.Contains(t, msgs[0].To, "tess@contoso.com")
	require.Contains(t, msgs[0].Text, link, "long lines and = signs survive the encoding")
}

// fakeSMTP accepts one message and records what it was told.
func fakeSMTP(t *testing.T) (addr string, got chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		w := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
		w("220 fake ESMTP")
		var log strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			log.WriteString(line + "\n")
			switch {
			case strings.HasPrefix(line, "EHLO"):
				w("250-fake")
				w("250 AUTH PLAIN")
			case strings.HasPrefix(line, "AUTH PLAIN"):
				w("235 ok")
			case strings.HasPrefix(line, "MAIL"), strings.HasPrefix(line, "RCPT"):
				w("250 ok")
			case line == "DATA":
				w("354 go")
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
					log.WriteString(l)
				}
				w("250 queued")
			case line == "QUIT":
				w("221 bye")
				got <- log.String()
				return
			default:
				w("250 ok")
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestSMTPMailerDelivers(t *testing.T) {
	t.Parallel()
	addr, got := fakeSMTP(t)
	u := &url.URL{Scheme: "smtp", User: url.UserPassword("bifrost", "pw"), Host: addr}
	m, err := New(u.String(), "bifrost@example.com", "", quiet)
	require.NoError(t, err)
	require.NoError(t, m.Send(context.Background(), Message{To: "tess@contoso.com", Subject: "Hello", Text: "Hi there"}))
	session := <-got
	require.Contains(t, session, "AUTH PLAIN")
	require.Contains(t, session, "MAIL FROM:<bifrost@example.com>")
	require.Contains(t, session, "RCPT TO:<tess@contoso.com>")
	require.Contains(t, session, "Subject: Hello")
}

// Only a server on this machine may be used without STARTTLS.
func TestOnlyLoopbackCountsAsLocal(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("smtp://mail.example.com:25")
	require.False(t, isLocal(u.Hostname()))
	require.True(t, isLocal("127.0.0.1"))
	require.True(t, isLocal("localhost"))
}
