// Package scheduler runs Bifrost's periodic jobs with gocron. Any number of
// scheduler processes may run; a leader elected through a Redis lock runs
// the jobs and the others stand by, taking over when the leader stops
// renewing its lock. It holds no domain logic: modules register their jobs.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bifrost-automation/bifrost/platform/cache"
)

// ErrNotLeader is what a standby scheduler answers when asked to run a job.
var ErrNotLeader = errors.New("scheduler: not the leader")

// Job is one periodic task.
type Job struct {
	// Name is unique; it names the job in logs and metrics.
	Name string
	// Cron is a cron expression: 5 fields, or 6 with seconds first.
	Cron string
	// Every runs the job at a fixed interval instead of Cron.
	Every time.Duration
	// Run does the work. Its context ends on shutdown.
	Run func(ctx context.Context) error
}

// Options configures the scheduler.
type Options struct {
	Cache *cache.Client
	// LeaderTTL bounds how long jobs pause when the leader dies.
	LeaderTTL time.Duration
	// ID names this process in logs (defaults to a random id).
	ID       string
	Logger   *slog.Logger
	Registry prometheus.Registerer
}

// Scheduler runs jobs while this process is the leader.
type Scheduler struct {
	opts    Options
	s       gocron.Scheduler
	elector *elector
	log     *slog.Logger
	runs    *prometheus.CounterVec
	dur     *prometheus.HistogramVec
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// New creates a scheduler; jobs are added with Add and run after Start.
func New(opts Options) (*Scheduler, error) {
	if opts.Cache == nil {
		return nil, errors.New("scheduler: a Redis client is required")
	}
	if opts.LeaderTTL <= 0 {
		opts.LeaderTTL = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	locker, err := opts.Cache.NewLocker("scheduler", opts.LeaderTTL)
	if err != nil {
		return nil, err
	}
	el := &elector{locker: locker, log: opts.Logger, poll: opts.LeaderTTL / 4}
	s, err := gocron.NewScheduler(
		gocron.WithDistributedElector(el),
		gocron.WithStopTimeout(30*time.Second),
		gocron.WithLocation(time.UTC),
	)
	if err != nil {
		locker.Close()
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	sc := &Scheduler{
		opts: opts, s: s, elector: el, log: opts.Logger,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bifrost_scheduler_job_runs_total",
			Help: "Scheduled job runs on this process, by job and outcome (ok, error).",
		}, []string{"job", "outcome"}),
		dur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bifrost_scheduler_job_duration_seconds",
			Help:    "Duration of scheduled job runs, by job.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 10),
		}, []string{"job"}),
	}
	if opts.Registry != nil {
		leader := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "bifrost_scheduler_leader",
			Help: "1 when this process is the scheduler leader.",
		}, func() float64 {
			if el.leader.Load() {
				return 1
			}
			return 0
		})
		opts.Registry.MustRegister(sc.runs, sc.dur, leader)
	}
	return sc, nil
}

// Add registers a job. Runs of the same job never overlap on one process.
func (s *Scheduler) Add(job Job) error {
	if job.Name == "" || job.Run == nil {
		return errors.New("scheduler: a job needs a name and a func")
	}
	var def gocron.JobDefinition
	switch {
	case job.Cron != "":
		def = gocron.CronJob(job.Cron, cronHasSeconds(job.Cron))
	case job.Every > 0:
		def = gocron.DurationJob(job.Every)
	default:
		return fmt.Errorf("scheduler: job %s needs Cron or Every", job.Name)
	}
	_, err := s.s.NewJob(def, gocron.NewTask(func(ctx context.Context) {
		start := time.Now()
		err := job.Run(ctx)
		outcome := "ok"
		if err != nil {
			outcome = "error"
			s.log.Error("scheduler: job failed", "job", job.Name, "error", err)
		}
		s.runs.WithLabelValues(job.Name, outcome).Inc()
		s.dur.WithLabelValues(job.Name).Observe(time.Since(start).Seconds())
	}), gocron.WithName(job.Name), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return fmt.Errorf("scheduler: add job %s: %w", job.Name, err)
	}
	return nil
}

// Start begins the leader campaign and the job timers.
func (s *Scheduler) Start(ctx context.Context) {
	ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Go(func() { s.elector.campaign(ctx) })
	s.s.Start()
}

// IsLeader reports whether this process currently runs the jobs.
func (s *Scheduler) IsLeader() bool { return s.elector.leader.Load() }

// Shutdown stops the timers, waits for running jobs and gives up leadership
// so a standby takes over at once.
func (s *Scheduler) Shutdown() error {
	err := s.s.Shutdown()
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	s.elector.locker.Close()
	if err != nil {
		return fmt.Errorf("scheduler: shutdown: %w", err)
	}
	return nil
}

func cronHasSeconds(expr string) bool {
	n := 0
	inField := false
	for _, r := range expr {
		if r == ' ' || r == '\t' {
			inField = false
			continue
		}
		if !inField {
			n++
			inField = true
		}
	}
	return n == 6
}

// elector holds leadership while it holds a Redis lock. rueidislock keeps
// extending the lock and cancels its context if the extension fails, so a
// process that loses Redis stops leading before another can take over.
type elector struct {
	locker *cache.Locker
	log    *slog.Logger
	leader atomic.Bool
	// poll is how often a standby tries to take the lock.
	poll time.Duration
}

func (e *elector) IsLeader(context.Context) error {
	if e.leader.Load() {
		return nil
	}
	return ErrNotLeader
}

// campaign tries to take the lock every poll interval while another
// process holds it. Polling, rather than waiting to be told the lock was
// released, means a missed notification can delay a takeover by one
// interval but never forever.
func (e *elector) campaign(ctx context.Context) {
	for ctx.Err() == nil {
		lockCtx, release, err := e.locker.TryLock(ctx, "leader")
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !cache.IsNotLocked(err) {
				e.log.Warn("scheduler: leader election failed, retrying", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(e.poll):
			}
			continue
		}
		e.leader.Store(true)
		e.log.Info("scheduler: this process is now the leader")
		<-lockCtx.Done()
		e.leader.Store(false)
		release()
		if ctx.Err() == nil {
			e.log.Warn("scheduler: leadership lost")
		}
	}
}
