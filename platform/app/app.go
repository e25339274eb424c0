// Package app defines what a Bifrost module is and what it receives from
// the platform. main.go builds the modules; the cli package asks each one
// for its routes, message handlers, jobs and commands according to the
// roles a process runs.
package app

import (
	"context"
	"log/slog"

	"github.com/google/uuid"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/httpx"
	"github.com/bifrost-automation/bifrost/platform/scheduler"
)

// Platform is the shared infrastructure every module is built with.
type Platform struct {
	Config config.Config
	Logger *slog.Logger
	DB     *db.DB
	Cache  *cache.Client
	// Publisher is nil for commands that do not need the broker.
	Publisher *bus.Publisher
	Metrics   prometheus.Registerer
}

// Module is one self-contained part of Bifrost (DESIGN §4). It implements
// whichever of the interfaces below it needs.
type Module interface {
	Name() string
}

// RouteModule adds HTTP routes; it runs in the api role.
type RouteModule interface {
	RegisterRoutes(api *httpx.API)
}

// HandlerModule consumes queues; it runs in the worker role.
type HandlerModule interface {
	RegisterHandlers(r *bus.Router) error
}

// WorkerModule runs something of its own in the worker role, such as the
// Python runner pool. StartWorker returns once it has started (not
// necessarily warmed up); stop is called after the queues have drained.
type WorkerModule interface {
	StartWorker(ctx context.Context) (stop func(), err error)
}

// JobModule adds periodic jobs; they run in the scheduler role.
type JobModule interface {
	RegisterJobs(s *scheduler.Scheduler) error
}

// BackgroundModule keeps something of its own running for the life of
// the process (in every role), such as following changes other processes
// announce on Redis. Start returns once the module is ready; ctx ends at
// shutdown.
type BackgroundModule interface {
	Start(ctx context.Context)
}

// Factory builds every module from the platform. main.go provides it.
type Factory func(p *Platform) ([]Module, error)

// Open builds the platform for a command that needs it (connecting to
// PostgreSQL, RabbitMQ and Redis) and returns a function that closes it.
type Open func(cmd *cobra.Command) (*Platform, func(), error)

// CommandFactory returns extra `bifrost` subcommands (such as `user
// create`); they call open when they run.
type CommandFactory func(open Open) []*cobra.Command

// AuditEvent is one entry of the audit log. Every module records what
// users do through an Auditor (the audit module implements it).
type AuditEvent struct {
	// OrganizationID is the organization the event concerns; nil is global.
	OrganizationID *uuid.UUID
	// UserID is who acted; nil for anonymous actors (a failed login for an
	// unknown email).
	UserID *uuid.UUID
	// ActorEmail is the actor's email, or the email an anonymous attempt used.
	ActorEmail string
	// Action is a namespaced past-tense fact: auth.login_failed, users.updated.
	Action       string
	ResourceType string
	ResourceID   string
	Details      map[string]any
	IPAddress    string
	UserAgent    string
	RequestID    string
}

// Auditor records audit events. What an event leaves empty comes from ctx:
// the principal (UserID, ActorEmail), the execution (details.execution_id)
// and the request (client address, user agent, request id).
type Auditor interface {
	Record(ctx context.Context, e AuditEvent) error
}

type executionKey struct{}

// WithExecution marks ctx as acting for a workflow execution, so what it
// does is audited with the execution's id.
func WithExecution(ctx context.Context, executionID string) context.Context {
	return context.WithValue(ctx, executionKey{}, executionID)
}

// ExecutionFrom returns the execution ctx acts for, if any.
func ExecutionFrom(ctx context.Context) string {
	id, _ := ctx.Value(executionKey{}).(string)
	return id
}
