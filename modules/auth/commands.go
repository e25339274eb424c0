package auth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/modules/orgs"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/errs"
)

// Open builds the module for a command; close releases its connections.
type Open func(cmd *cobra.Command) (m *Module, close func(), err error)

// Commands returns `bifrost user create` and `bifrost seed`.
func Commands(open Open) []*cobra.Command {
	user := &cobra.Command{Use: "user", Short: "Manage accounts from the command line"}
	create := &cobra.Command{
		Use:   "create --email EMAIL [--admin | --org SLUG] [--password-stdin]",
		Short: "Create an account, or update it when the email exists",
		Long: "create makes a platform admin (--admin) or a user of an organization (--org). With --password-stdin\n" +
			"the password is read from the first line of standard input; without it, an invitation link\n" +
			"is printed for the user to choose one. Running it again for the same email sets the new password\n" +
			"and reactivates the account, so it also recovers a lost admin password.",
		Example: "  printf '%s\\n' \"$ADMIN_PASSWORD\" | bifrost user create --email admin@example.com --admin --password-stdin",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			email, _ := cmd.Flags().GetString("email")
			admin, _ := cmd.Flags().GetBool("admin")
			org, _ := cmd.Flags().GetString("org")
			name, _ := cmd.Flags().GetString("name")
			fromStdin, _ := cmd.Flags().GetBool("password-stdin")
			if admin == (org != "") {
				return errors.New("give exactly one of --admin and --org SLUG")
			}
			password := ""
			if fromStdin {
				line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return fmt.Errorf("read the password: %w", err)
				}
				if password = strings.TrimRight(line, "\r\n"); password == "" {
					return errors.New("--password-stdin: standard input is empty")
				}
			}
			m, closeFn, err := open(cmd)
			if err != nil {
				return err
			}
			defer closeFn()
			res, err := m.EnsureUser(cmd.Context(), EnsureUserInput{Email: email, Name: name, Password: password, Admin: admin, OrgSlug: org})
			if err != nil {
				return explain(err)
			}
			out := cmd.OutOrStdout()
			verb := "created"
			if !res.Created {
				verb = "updated"
			}
			fmt.Fprintf(out, "%s %s (%s)\n", verb, res.Email, res.Kind)
			if res.InvitationLink != "" {
				fmt.Fprintf(out, "invitation link (valid %d days): %s\n", invitationTTLHours/24, res.InvitationLink)
			}
			return nil
		},
	}
	f := create.Flags()
	f.String("email", "", "the account's email (required)")
	f.String("name", "", "display name")
	f.Bool("admin", false, "a platform admin")
	f.String("org", "", "the slug of the user's organization")
	f.Bool("password-stdin", false, "read the password from standard input")
	_ = create.MarkFlagRequired("email")
	user.AddCommand(create)

	seed := &cobra.Command{
		Use:   "seed",
		Short: "Create demo data: two organizations, an admin, a user in each, roles",
		Long: "seed creates the organizations Contoso and Fabrikam, a platform admin, a technician in each\n" +
			"organization, a global Technician role and an Org admin role in each organization. It is safe to run\n" +
			"again: what exists is left as it is. The demo password is printed unless given with --password-stdin.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			password := "bifrost-demo-1234"
			if fromStdin, _ := cmd.Flags().GetBool("password-stdin"); fromStdin {
				line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if password = strings.TrimRight(line, "\r\n"); password == "" {
					return errors.New("--password-stdin: standard input is empty")
				}
			}
			adminEmail, _ := cmd.Flags().GetString("admin-email")
			m, closeFn, err := open(cmd)
			if err != nil {
				return err
			}
			defer closeFn()
			lines, err := m.Seed(cmd.Context(), adminEmail, password)
			if err != nil {
				return explain(err)
			}
			for _, l := range lines {
				fmt.Fprintln(cmd.OutOrStdout(), l)
			}
			return nil
		},
	}
	seed.Flags().String("admin-email", "admin@bifrost.local", "the demo platform admin's email")
	seed.Flags().Bool("password-stdin", false, "read the demo accounts' password from standard input")
	return []*cobra.Command{user, seed}
}

// explain turns validation errors into command-line messages.
func explain(err error) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s %s", f.Field, f.Message)
	}
	return errors.New(b.String())
}

// EnsureUserInput describes an account to create or update.
type EnsureUserInput struct {
	Email    string
	Name     string
	Password string
	Admin    bool
	OrgSlug  string
	// OnlyCreate leaves an existing account untouched (bifrost seed).
	OnlyCreate bool
}

// EnsureUserResult says what EnsureUser did.
type EnsureUserResult struct {
	Email          string
	Kind           string
	Created        bool
	InvitationLink string
}

// EnsureUser creates an account or, when the email exists, sets its
// password and reactivates it (bifrost user create).
func (m *Module) EnsureUser(ctx context.Context, in EnsureUserInput) (*EnsureUserResult, error) {
	email, err := validEmail("--email", in.Email)
	if err != nil {
		return nil, err
	}
	var org *uuid.UUID
	kind := "platform admin"
	if !in.Admin {
		info, err := m.orgs.OrganizationBySlug(ctx, in.OrgSlug)
		if errs.IsNotFound(err) {
			return nil, fmt.Errorf("no organization has the slug %q", in.OrgSlug)
		}
		if err != nil {
			return nil, err
		}
		org = &info.ID
		kind = "user of " + info.Name
	}
	var hash *string
	if in.Password != "" {
		if err := checkPassword("password", in.Password, email); err != nil {
			return nil, err
		}
		h, err := m.hasher.hash(ctx, in.Password)
		if err != nil {
			return nil, err
		}
		hash = &h
	}
	res := &EnsureUserResult{Email: email, Kind: kind}
	var u *user
	token := ""
	err = m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		existing, err := m.store.userByEmail(ctx, tx, email)
		switch {
		case errs.IsNotFound(err):
			u = &user{Email: email, DisplayName: strings.TrimSpace(in.Name), PasswordHash: hash, IsActive: true,
				IsSuperuser: in.Admin, IsVerified: hash != nil, OrganizationID: org}
			if err := m.store.insertUser(ctx, tx, u); err != nil {
				return err
			}
			res.Created = true
		case err != nil:
			return err
		case in.OnlyCreate:
			u = existing
			return nil
		default:
			u = existing
			if u.IsSuperuser != in.Admin || (org != nil && (u.OrganizationID == nil || *u.OrganizationID != *org)) {
				return fmt.Errorf("%s exists as a different kind of account; change it in the web UI", email)
			}
			cols := []string{"is_active"}
			u.IsActive = true
			if hash != nil {
				u.PasswordHash, u.IsVerified = hash, true
				cols = append(cols, "password_hash", "is_verified")
			}
			if n := strings.TrimSpace(in.Name); n != "" {
				u.DisplayName = n
				cols = append(cols, "display_name")
			}
			if err := m.store.updateUser(ctx, tx, u, cols...); err != nil {
				return err
			}
		}
		if u.PasswordHash == nil {
			token = newLinkToken()
			return m.store.insertToken(ctx, tx, u.ID, purposeInvitation, token, invitationTTLHours*time.Hour)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if token != "" {
		res.InvitationLink = m.link("/accept-invite", url.Values{"token": {token}})
	}
	if in.OnlyCreate && !res.Created {
		return res, nil
	}
	if hash != nil && !res.Created {
		_ = m.sessions.endAll(ctx, u.ID)
	}
	action := "users.created"
	if !res.Created {
		action = "users.updated"
	}
	m.record(ctx, app.AuditEvent{OrganizationID: u.OrganizationID, ActorEmail: "bifrost user create", Action: action,
		ResourceType: "user", ResourceID: u.ID.String(), Details: map[string]any{"via": "cli"}})
	return res, nil
}

// Seed creates the demo data, leaving alone what exists.
func (m *Module) Seed(ctx context.Context, adminEmail, password string) ([]string, error) {
	var lines []string
	note := func(created bool, what string) {
		if created {
			lines = append(lines, "created "+what)
		} else {
			lines = append(lines, "exists  "+what)
		}
	}
	tech, created, err := m.orgs.EnsureRole(ctx, nil, "Technician", "Runs workflows and sees the organization's executions.",
		[]string{orgs.PermWorkflowsRun, orgs.PermExecutionsViewAll})
	if err != nil {
		return nil, err
	}
	note(created, "global role Technician")
	admin, err := m.EnsureUser(ctx, EnsureUserInput{Email: adminEmail, Name: "Demo Admin", Admin: true, Password: password, OnlyCreate: true})
	if err != nil {
		return nil, err
	}
	note(admin.Created, "platform admin "+admin.Email)
	for _, o := range []struct{ name, slug, domain string }{
		{"Contoso", "contoso", "contoso.com"},
		{"Fabrikam", "fabrikam", "fabrikam.com"},
	} {
		org, created, err := m.orgs.EnsureOrganization(ctx, o.name, o.slug, o.domain)
		if err != nil {
			return nil, err
		}
		note(created, "organization "+o.name)
		orgAdmin, created, err := m.orgs.EnsureRole(ctx, &org.ID, "Org admin", "Manages the organization's users, forms, configuration and secrets.",
			[]string{orgs.PermWorkflowsRun, orgs.PermExecutionsViewAll, orgs.PermFormsManage, orgs.PermConfigManage,
				orgs.PermSecretsManage, orgs.PermIntegrationsManage, orgs.PermUsersManage, orgs.PermAuditView})
		if err != nil {
			return nil, err
		}
		note(created, "role Org admin in "+o.name)
		for _, u := range []struct {
			email, name string
			role        uuid.UUID
		}{
			{"tech@" + o.domain, o.name + " Technician", tech},
			{"admin@" + o.domain, o.name + " Admin", orgAdmin},
		} {
			res, err := m.EnsureUser(ctx, EnsureUserInput{Email: u.email, Name: u.name, OrgSlug: o.slug, Password: password, OnlyCreate: true})
			if err != nil {
				return nil, err
			}
			note(res.Created, "user "+u.email)
			acct, err := m.store.userByEmail(ctx, m.store.db, u.email)
			if err != nil {
				return nil, err
			}
			if err := m.orgs.EnsureAssigned(ctx, acct.ID, u.role); err != nil {
				return nil, err
			}
		}
	}
	lines = append(lines, "", "Sign in at "+m.publicURL.String()+" with any of the accounts above and the password: "+password)
	return lines, nil
}
