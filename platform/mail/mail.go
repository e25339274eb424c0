// Package mail sends Bifrost's email: over SMTP when mail.smtp_url is set,
// otherwise into .eml files in a folder (and the log), so a development
// install and the tests can read every message without a mail server.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Message is one email.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Mailer sends messages.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// New returns an SMTP mailer when smtpURL is set, else a file mailer
// writing into dir.
func New(smtpURL, from, dir string, log *slog.Logger) (Mailer, error) {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: from address: %w", err)
	}
	if smtpURL == "" {
		return &FileMailer{Dir: dir, From: fromAddr, Log: log}, nil
	}
	u, err := url.Parse(smtpURL)
	if err != nil {
		return nil, fmt.Errorf("mail: smtp url: not a URL")
	}
	return &SMTPMailer{URL: u, From: fromAddr}, nil
}

// render builds the RFC 5322 message: multipart/alternative with a text
// and, when given, an HTML part.
func render(from *mail.Address, m Message) ([]byte, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("mail: recipient: %w", err)
	}
	var b bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := from.Address[strings.LastIndex(from.Address, "@")+1:]
	hdr := []string{
		"From: " + from.String(),
		"To: " + to.String(),
		"Subject: " + mime.QEncoding.Encode("utf-8", m.Subject),
		"Date: " + time.Now().UTC().Format(time.RFC1123Z),
		"Message-ID: <" + hex.EncodeToString(id) + "@" + domain + ">",
		"MIME-Version: 1.0",
	}
	w := multipart.NewWriter(&b)
	hdr = append(hdr, `Content-Type: multipart/alternative; boundary="`+w.Boundary()+`"`)
	var out bytes.Buffer
	out.WriteString(strings.Join(hdr, "\r\n") + "\r\n\r\n")
	parts := [][2]string{{"text/plain; charset=utf-8", m.Text}}
	if m.HTML != "" {
		parts = append(parts, [2]string{"text/html; charset=utf-8", m.HTML})
	}
	for _, p := range parts {
		pw, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {p[0]}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(p[1])); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	out.Write(b.Bytes())
	return out.Bytes(), nil
}

// FileMailer writes each message to Dir as an .eml file.
type FileMailer struct {
	Dir  string
	From *mail.Address
	Log  *slog.Logger
}

// Send writes m to a new file named by time and recipient.
func (f *FileMailer) Send(_ context.Context, m Message) error {
	raw, err := render(f.From, m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := fmt.Sprintf("%s-%s-%s.eml", time.Now().UTC().Format("20060102T150405.000000000"), safeName(m.To), hex.EncodeToString(suffix))
	path := filepath.Join(f.Dir, name)
	// Written aside and renamed, so a reader never sees half a message.
	tmp := filepath.Join(f.Dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mail: %w", err)
	}
	if f.Log != nil {
		f.Log.Info("mail written to a file (mail.smtp_url is not set)", "to", m.To, "subject", m.Subject, "file", path)
	}
	return nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// Stored is a message read back from a FileMailer folder.
type Stored struct {
	To      string
	Subject string
	Text    string
	Path    string
}

// ReadDir returns the messages in a FileMailer folder, oldest first.
func ReadDir(dir string) ([]Stored, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []Stored
	for _, n := range names {
		raw, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		dec := new(mime.WordDecoder)
		subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
		_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		text := ""
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
				// NextPart has already undone the quoted-printable encoding.
				b, _ := io.ReadAll(p)
				text = string(b)
			}
		}
		out = append(out, Stored{To: msg.Header.Get("To"), Subject: subject, Text: text, Path: filepath.Join(dir, n)})
	}
	return out, nil
}

// SMTPMailer sends through an SMTP server: STARTTLS on smtp:// (required
// unless the server is on localhost), implicit TLS on smtps://.
type SMTPMailer struct {
	URL  *url.URL
	From *mail.Address
}

// Send delivers m.
func (s *SMTPMailer) Send(ctx context.Context, m Message) error {
	raw, err := render(s.From, m)
	if err != nil {
		return err
	}
	to, _ := mail.ParseAddress(m.To)
	host := s.URL.Hostname()
	port := s.URL.Port()
	if port == "" {
		port = "587"
		if s.URL.Scheme == "smtps" {
			port = "465"
		}
	}
	addr := net.JoinHostPort(host, port)
	d := net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	if s.URL.Scheme == "smtps" {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("mail: connect to %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: %w", err)
	}
	defer c.Close()
	if s.URL.Scheme == "smtp" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
				return fmt.Errorf("mail: starttls: %w", err)
			}
		} else if !isLocal(host) {
			// Never send credentials or mail in the clear over the network.
			return fmt.Errorf("mail: %s does not offer STARTTLS", addr)
		}
	}
	if s.URL.User != nil {
		pw, _ := s.URL.User.Password()
		if err := c.Auth(smtp.PlainAuth("", s.URL.User.Username(), pw, host)); err != nil {
			return fmt.Errorf("mail: authenticate: %w", err)
		}
	}
	if err := c.Mail(s.From.Address); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return c.Quit()
}

func isLocal(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
