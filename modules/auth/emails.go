package auth

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/bifrost-automation/bifrost/platform/mail"
)

// Lifetimes of emailed links.
const (
	resetTTLHours      = 1
	verifyTTLHours     = 48
	invitationTTLHours = 7 * 24
)

type emailContent struct {
	to, subject, intro, action, link, outro string
}

func (m *Module) send(ctx context.Context, c emailContent) {
	text := c.intro + "\n\n"
	htmlBody := "<p>" + html.EscapeString(c.intro) + "</p>"
	if c.link != "" {
		text += c.action + ":\n" + c.link + "\n\n"
		htmlBody += fmt.Sprintf(`<p><a href="%s" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">%s</a></p><p style="color:#6b7280;font-size:13px">Or open this link: %s</p>`,
			html.EscapeString(c.link), html.EscapeString(c.action), html.EscapeString(c.link))
	}
	if c.outro != "" {
		text += c.outro + "\n"
		htmlBody += "<p style=\"color:#6b7280\">" + html.EscapeString(c.outro) + "</p>"
	}
	text += "\n— Bifrost\n"
	msg := mail.Message{To: c.to, Subject: c.subject, Text: text,
		HTML: `<div style="font-family:system-ui,sans-serif;max-width:560px">` + htmlBody + `<p style="color:#6b7280">— Bifrost</p></div>`}
	// Mail goes out after the response: a slow mail server must not slow
	// the request or reveal, by timing, whether an account exists.
	go func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := m.mailer.Send(sctx, msg); err != nil {
			m.log.Error("auth: could not send email", "to", c.to, "subject", c.subject, "error", err)
		}
	}()
}

func (m *Module) sendInvitation(ctx context.Context, to, inviter, org, token string) {
	where := "Bifrost"
	if org != "" {
		where = org + " on Bifrost"
	}
	by := ""
	if inviter != "" {
		by = " by " + inviter
	}
	m.send(ctx, emailContent{
		to: to, subject: "You are invited to " + where,
		intro:  fmt.Sprintf("You have been invited%s to %s. Choose a password to finish setting up your account.", by, where),
		action: "Accept the invitation", link: m.link("/accept-invite", url.Values{"token": {token}}),
		outro: fmt.Sprintf("The link works once and expires in %d days. If you did not expect this, ignore this email.", invitationTTLHours/24),
	})
}

func (m *Module) sendReset(ctx context.Context, to, token string) {
	m.send(ctx, emailContent{
		to: to, subject: "Reset your Bifrost password",
		intro:  "Someone (hopefully you) asked to reset the password of your Bifrost account.",
		action: "Choose a new password", link: m.link("/reset-password", url.Values{"token": {token}}),
		outro: fmt.Sprintf("The link works once and expires in %d hour. If you did not ask for it, ignore this email: your password stays as it is.", resetTTLHours),
	})
}

func (m *Module) sendVerification(ctx context.Context, to, token string) {
	m.send(ctx, emailContent{
		to: to, subject: "Confirm your email for Bifrost",
		intro:  "Confirm this email address to finish creating your Bifrost account.",
		action: "Confirm my email", link: m.link("/verify-email", url.Values{"token": {token}}),
		outro: fmt.Sprintf("The link works once and expires in %d hours.", verifyTTLHours),
	})
}

func (m *Module) sendAlreadyRegistered(ctx context.Context, to string) {
	m.send(ctx, emailContent{
		to: to, subject: "You already have a Bifrost account",
		intro:  "Someone tried to register with this email, but it already has an account. If it was you, sign in, or reset your password.",
		action: "Reset my password", link: m.link("/forgot-password", url.Values{"email": {to}}),
	})
}

func (m *Module) sendRegistrationClosed(ctx context.Context, to string) {
	domain := to[strings.LastIndex(to, "@")+1:]
	m.send(ctx, emailContent{
		to: to, subject: "Your Bifrost registration",
		intro: fmt.Sprintf("Someone tried to register with this email, but no organization on this Bifrost accepts registrations from %s. Ask an administrator for an invitation.", domain),
	})
}
