// Command bifrost is the Bifrost platform in one binary. This file is the
// composition root: it builds every module from the shared platform, wires
// the small interfaces modules need from each other, and hands them to the
// command line, which runs the roles a process is asked for (DESIGN.md
// §2–§4).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/bifrost-automation/bifrost/modules/audit"
	"github.com/bifrost-automation/bifrost/modules/auth"
	configmod "github.com/bifrost-automation/bifrost/modules/config"
	"github.com/bifrost-automation/bifrost/modules/executions"
	"github.com/bifrost-automation/bifrost/modules/integrations"
	"github.com/bifrost-automation/bifrost/modules/orgs"
	"github.com/bifrost-automation/bifrost/modules/secrets"
	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/cli"
	"github.com/bifrost-automation/bifrost/platform/mail"
	"github.com/bifrost-automation/bifrost/web"
)

func main() {
	os.Exit(cli.Execute(context.Background(), cli.Options{
		Modules:  modules,
		Commands: commands,
		Web:      web.FS(),
	}, os.Args[1:]))
}

// bifrost holds the built modules.
type bifrost struct {
	audit        *audit.Module
	orgs         *orgs.Module
	auth         *auth.Module
	vault        *secrets.Vault
	secrets      *secrets.Module
	config       *configmod.Module
	integrations *integrations.Module
	workflows    *workflows.Module
	executions   *executions.Module
}

// build constructs the modules and wires them to each other by hand.
func build(p *app.Platform) (*bifrost, error) {
	mailer, err := mail.New(p.Config.Mail.SMTPURL, p.Config.Mail.From, filepath.Join(p.Config.DataDir, "mail"), p.Logger)
	if err != nil {
		return nil, err
	}
	b := &bifrost{}
	b.audit = audit.New(audit.Deps{DB: p.DB, Logger: p.Logger})
	b.orgs = orgs.New(orgs.Deps{DB: p.DB, Cache: p.Cache, Logger: p.Logger, Auditor: b.audit})
	b.auth, err = auth.New(auth.Deps{
		Config: p.Config, DB: p.DB, Cache: p.Cache, Logger: p.Logger,
		Auditor: b.audit, Orgs: b.orgs, Mailer: mailer,
	})
	if err != nil {
		return nil, err
	}
	// orgs and auth need each other: orgs asks auth about accounts.
	b.orgs.UseUsers(b.auth)

	ring, err := secrets.RingFromConfig(p.Config.Secrets, p.Config.SecretKey)
	if err != nil {
		return nil, err
	}
	b.vault = secrets.NewVault(p.DB, ring)
	b.secrets = secrets.New(secrets.Deps{DB: p.DB, Vault: b.vault, Logger: p.Logger, Auditor: b.audit, Authorizer: b.orgs})
	b.config = configmod.New(configmod.Deps{DB: p.DB, Logger: p.Logger, Auditor: b.audit, Secrets: b.secrets, Authorizer: b.orgs})
	// secrets and config need each other: a secret in use by a secret_ref
	// entry cannot be deleted.
	b.secrets.UseReferences(b.config)
	b.integrations, err = integrations.New(integrations.Deps{
		Config: p.Config, DB: p.DB, Cache: p.Cache, Logger: p.Logger,
		Auditor: b.audit, Vault: b.vault, Authorizer: b.orgs,
	})
	if err != nil {
		return nil, err
	}
	b.workflows = workflows.New(workflows.Deps{Config: p.Config, DB: p.DB, Cache: p.Cache, Logger: p.Logger})
	b.executions = executions.New(executions.Deps{
		Config: p.Config, DB: p.DB, Cache: p.Cache, Publisher: p.Publisher, Logger: p.Logger,
		Auditor: b.audit, Authorizer: b.orgs, Registry: b.workflows, Orgs: b.orgs,
		Runner: func() executions.Runner {
			if pool := b.workflows.Pool(); pool != nil {
				return pool
			}
			return nil
		},
	})
	// Runs reach the other modules; nested runs reach executions, which
	// itself runs through the workflows module's pool.
	b.workflows.UseServices(workflows.Services{Config: b.config, Secrets: b.secrets, Integrations: b.integrations, Orgs: b.orgs,
		Executions: b.executions})
	return b, nil
}

// modules lists the modules for `bifrost serve`.
func modules(p *app.Platform) ([]app.Module, error) {
	b, err := build(p)
	if err != nil {
		return nil, err
	}
	return []app.Module{b.audit, b.orgs, b.auth, b.secrets, b.config, b.integrations, b.workflows, b.executions}, nil
}

// commands returns the subcommands modules contribute.
func commands(open app.Open) []*cobra.Command {
	openBuilt := func(cmd *cobra.Command) (*bifrost, func(), error) {
		p, closeFn, err := open(cmd)
		if err != nil {
			return nil, nil, err
		}
		b, err := build(p)
		if err != nil {
			closeFn()
			return nil, nil, err
		}
		return b, closeFn, nil
	}
	cmds := auth.Commands(func(cmd *cobra.Command) (*auth.Module, func(), error) {
		b, closeFn, err := openBuilt(cmd)
		if err != nil {
			return nil, nil, err
		}
		return b.auth, closeFn, nil
	})
	cmds = append(cmds, secrets.Commands(func(cmd *cobra.Command) (*secrets.Vault, func(), error) {
		b, closeFn, err := openBuilt(cmd)
		if err != nil {
			return nil, nil, err
		}
		return b.vault, closeFn, nil
	})...)
	return append(cmds, workflows.Commands(func(cmd *cobra.Command) (*workflows.Module, workflows.CallerFinder, func(), error) {
		b, closeFn, err := openBuilt(cmd)
		if err != nil {
			return nil, nil, nil, err
		}
		return b.workflows, b.caller, closeFn, nil
	})...)
}

// caller is who `bifrost workflows run` acts as: an account (by default the
// first platform admin) in an organization given by id or slug.
func (b *bifrost) caller(ctx context.Context, email, org string) (workflows.Caller, error) {
	acct, err := b.auth.Account(ctx, email)
	if err != nil {
		return workflows.Caller{}, err
	}
	c := workflows.Caller{UserID: acct.ID, Email: acct.Email, Name: acct.Name, IsSuperuser: acct.IsSuperuser, UserOrganizationID: acct.OrganizationID}
	if org == "" && acct.OrganizationID != nil {
		org = acct.OrganizationID.String()
	}
	if org == "" {
		return c, nil
	}
	var info orgs.OrgInfo
	if id, perr := uuid.Parse(org); perr == nil {
		info, err = b.orgs.Organization(ctx, id)
	} else {
		info, err = b.orgs.OrganizationBySlug(ctx, org)
	}
	if err != nil {
		return workflows.Caller{}, fmt.Errorf("--org %s: %w", org, err)
	}
	if !acct.IsSuperuser && (acct.OrganizationID == nil || *acct.OrganizationID != info.ID) {
		return workflows.Caller{}, fmt.Errorf("%s belongs to another organization than %s", acct.Email, info.Name)
	}
	c.Organization = &workflows.Org{ID: info.ID, Name: info.Name, IsActive: info.IsActive}
	return c, nil
}
