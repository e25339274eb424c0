package workflows

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// PoolOptions configure a runner pool.
type PoolOptions struct {
	// Python is the interpreter (workflows.python).
	Python string
	// Workspace is the folder of workflows.
	Workspace string
	// CacheDir holds the SDK, byte code and runs' temp folders.
	CacheDir string
	// UploadsDir is the files location "uploads".
	UploadsDir string
	// Concurrency bounds the runs going at once.
	Concurrency int
	// MemoryLimit caps each run's address space (0: none).
	MemoryLimit int64
	// KillGrace is the time between SIGTERM and SIGKILL.
	KillGrace time.Duration
	// WatchInterval is how often the workspace is checked for changes (0:
	// never).
	WatchInterval time.Duration
	Services      Services
	Logger        *slog.Logger
	// OnRegistry receives every new registry (after each reload).
	OnRegistry func(*Registry)
}

// Pool runs workflows as forks of a warm zygote. It reloads the zygote when
// the workspace changes; runs in flight finish on the zygote they started
// from.
type Pool struct {
	opts      PoolOptions
	log       *slog.Logger
	killGrace time.Duration
	py        *python
	sem       chan struct{}

	mu      sync.Mutex
	current *zygote
	loaded  chan struct{} // closed when the first zygote is ready
	reg     *Registry
	print   string // fingerprint of the workspace the current zygote imported
	closed  bool

	startErr error

	reload chan struct{}
	stop   context.CancelFunc
	done   chan struct{}
}

// NewPool prepares a pool; Start starts it.
func NewPool(opts PoolOptions) *Pool {
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	if opts.KillGrace <= 0 {
		opts.KillGrace = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Pool{opts: opts, log: opts.Logger, killGrace: opts.KillGrace, sem: make(chan struct{}, opts.Concurrency),
		loaded: make(chan struct{}), reload: make(chan struct{}, 1), done: make(chan struct{})}
}

// absolute makes the folders absolute: the zygote and its runs work in
// other folders, where relative paths (a data_dir of ".bifrost", say)
// would point elsewhere.
func (o *PoolOptions) absolute() error {
	for _, dir := range []*string{&o.Workspace, &o.CacheDir, &o.UploadsDir} {
		if *dir == "" {
			continue
		}
		abs, err := filepath.Abs(*dir)
		if err != nil {
			return err
		}
		*dir = abs
	}
	return nil
}

// Start prepares the folders and, in the background, installs the SDK,
// finds Python and starts the first zygote and the workspace watcher. It
// returns before any of that is done, so a worker starts without waiting
// for Python; runs wait for the workspace (WaitLoaded), and a Python that
// cannot start is reported by Err and by every run.
func (p *Pool) Start(ctx context.Context) error {
	if err := p.opts.absolute(); err != nil {
		return err
	}
	root := p.opts.Workspace
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("workflows: workspace %s: %w", root, err)
	}
	if err := os.MkdirAll(p.opts.CacheDir, 0o755); err != nil {
		return fmt.Errorf("workflows: cache folder: %w", err)
	}
	ctx, p.stop = context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		if err := p.prepare(ctx); err != nil {
			p.log.Error("workflows: Python cannot run workflows", "error", err)
			p.mu.Lock()
			p.startErr = err
			p.reg = &Registry{Errors: []LoadError{{Type: "StartError", Message: err.Error()}}}
			p.mu.Unlock()
			p.markLoaded()
			close(p.done)
			return
		}
		p.log.Info("workflows: runner pool started", "python", p.py.path, "version", p.py.version, "workspace", root,
			"concurrency", p.opts.Concurrency)
		p.Reload()
		p.loop(ctx)
	}()
	return nil
}

// prepare installs the SDK and finds the interpreter.
func (p *Pool) prepare(ctx context.Context) error {
	sdk, err := InstallSDK(p.opts.CacheDir)
	if err != nil {
		return err
	}
	py, err := findPython(ctx, p.opts.Python, sdk, p.opts.Workspace, p.opts.CacheDir)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.py = py
	p.mu.Unlock()
	return nil
}

// Err is why the pool cannot run workflows at all (no usable Python), once
// it knows.
func (p *Pool) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.startErr
}

// Reload re-imports the workspace in a new zygote; runs move to it once it
// is ready.
func (p *Pool) Reload() {
	select {
	case p.reload <- struct{}{}:
	default:
	}
}

// loop starts zygotes when asked to and watches the workspace.
func (p *Pool) loop(ctx context.Context) {
	defer close(p.done)
	var tick <-chan time.Time
	if p.opts.WatchInterval > 0 {
		t := time.NewTicker(p.opts.WatchInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.reload:
			p.load(ctx)
		case <-tick:
			print, err := fingerprint(p.opts.Workspace)
			if err != nil {
				p.log.Warn("workflows: watch the workspace", "error", err)
				continue
			}
			p.mu.Lock()
			changed := print != p.print && p.print != ""
			p.mu.Unlock()
			if changed {
				p.log.Info("workflows: the workspace changed; reloading")
				p.load(ctx)
			}
		}
	}
}

// load starts a zygote on the workspace as it is now and, once it is
// ready, makes it current.
func (p *Pool) load(ctx context.Context) {
	print, _ := fingerprint(p.opts.Workspace)
	started := time.Now()
	z, err := startZygote(p.py, p.opts.Workspace, p.log)
	if err == nil {
		select {
		case <-z.ready:
			err = z.startErr
		case <-ctx.Done():
			z.stop()
			return
		}
	}
	if err != nil {
		p.log.Error("workflows: the workspace could not be loaded", "error", err)
		p.mu.Lock()
		p.print = print // do not retry until something changes
		if p.current == nil {
			p.reg = &Registry{Errors: []LoadError{{Type: "StartError", Message: err.Error()}}}
		}
		first := p.current == nil
		p.mu.Unlock()
		if first {
			p.markLoaded()
		}
		if z != nil {
			z.stop()
		}
		return
	}
	z.keepSpares(min(p.opts.Concurrency, 3))
	p.mu.Lock()
	old := p.current
	p.current, p.reg, p.print = z, z.registry, print
	p.mu.Unlock()
	p.markLoaded()
	if old != nil {
		old.retire()
	}
	p.log.Info("workflows: workspace loaded", "workflows", len(z.registry.Workflows), "data_providers", len(z.registry.DataProviders),
		"errors", len(z.registry.Errors), "import_ms", z.registry.DurationMs, "ready_ms", time.Since(started).Milliseconds(), "zygote_pid", z.pid())
	for _, e := range z.registry.Errors {
		p.log.Warn("workflows: a workspace file did not load", "file", e.File, "line", e.Line, "type", e.Type, "error", e.Message)
	}
	if p.opts.OnRegistry != nil {
		p.opts.OnRegistry(z.registry)
	}
}

func (p *Pool) markLoaded() {
	select {
	case <-p.loaded:
	default:
		close(p.loaded)
	}
}

// Registry is what the current zygote imported; nil before the first load.
func (p *Pool) Registry() *Registry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reg
}

// WaitLoaded waits until the workspace has been imported once.
func (p *Pool) WaitLoaded(ctx context.Context) error {
	select {
	case <-p.loaded:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop ends the watcher and the zygotes. Runs still going are killed.
func (p *Pool) Stop() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	z := p.current
	p.current = nil
	p.mu.Unlock()
	if p.stop != nil {
		p.stop()
		<-p.done
	}
	if z != nil {
		z.stop()
	}
}

var errNotLoaded = errs.Unavailable("workflows.not_loaded", "The workspace could not be loaded; see the workflows' load errors.")

// Run runs a workflow (or data provider) and returns how it ended. An
// error means it could not run at all.
func (p *Pool) Run(ctx context.Context, req RunRequest) (*Result, error) {
	if req.Kind == "" {
		req.Kind = KindWorkflow
	}
	if req.ExecutionID == "" {
		req.ExecutionID = uuid.NewString()
	}
	if err := p.WaitLoaded(ctx); err != nil {
		return nil, err
	}
	releaseSlot := func() {}
	if !req.Nested {
		select {
		case p.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		releaseSlot = func() { <-p.sem }
	}
	p.mu.Lock()
	z, reg, startErr := p.current, p.reg, p.startErr
	p.mu.Unlock()
	if startErr != nil {
		releaseSlot()
		return nil, errs.Unavailable("workflows.python_unavailable", "Workflows cannot run: "+startErr.Error())
	}
	if z == nil || !z.acquire() {
		releaseSlot()
		return nil, errNotLoaded
	}
	// The slot and the zygote are held until the run's process has ended,
	// which may be after its result came back.
	handedOver := false
	finish := func() {
		z.release()
		releaseSlot()
	}
	defer func() {
		if !handedOver {
			finish()
		}
	}()
	def := reg.find(req.Kind, req.Name)
	if def == nil {
		what := "workflow"
		if req.Kind == KindDataProvider {
			what = "data provider"
		}
		return nil, errs.Newf(errs.KindNotFound, "workflows.not_found", "There is no %s named %q.", what, req.Name)
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = time.Duration(max(def.TimeoutSecs, 1)) * time.Second
		if req.Kind == KindDataProvider {
			timeout = 5 * time.Minute
		}
	}
	temp := tempDir(p.opts.CacheDir, req.ExecutionID)
	limits := forkLimits{MemoryBytes: p.opts.MemoryLimit}
	// CPU time is bounded too: a run cannot use more CPU seconds than its
	// wall-clock timeout (plus the grace).
	limits.CPUSeconds = int((timeout + p.killGrace).Seconds()) + 1
	c, err := z.take(req.ExecutionID)
	if err != nil {
		return nil, fmt.Errorf("workflows: fork a run: %w", err)
	}
	r := &run{pool: p, req: req, child: c, calls: &callContext{services: p.opts.Services, registry: p.Registry, caller: req.Caller, execID: req.ExecutionID}}
	start := map[string]any{
		"t": "start", "kind": req.Kind, "name": req.Name, "inputs": nonNilMap(req.Inputs), "context": contextFor(req),
		"roots":             map[string]string{"workspace": p.opts.Workspace, "temp": temp, "uploads": p.opts.UploadsDir},
		"capture_variables": !req.NoVariables, "limits": limits, "cwd": p.opts.Workspace,
	}
	handedOver = true
	return r.execute(ctx, timeout, start, func() {
		os.RemoveAll(temp)
		finish()
	})
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// contextFor is the ExecutionContext a run sees.
func contextFor(req RunRequest) map[string]any {
	c := req.Caller
	scope := "GLOBAL"
	var org any
	if c.Organization != nil {
		scope = c.Organization.ID.String()
		org = c.Organization
	}
	userID := ""
	if c.UserID != uuid.Nil {
		userID = c.UserID.String()
	}
	return map[string]any{
		"user_id": userID, "email": c.Email, "name": c.Name, "scope": scope, "organization": org,
		"is_platform_admin": c.IsSuperuser, "is_function_key": c.FunctionKey, "execution_id": req.ExecutionID,
		"workflow_name": req.Name, "parameters": nonNilMap(req.Inputs), "startup": req.Startup,
	}
}

// PythonPath is the interpreter's real path (once the pool has loaded).
func (p *Pool) PythonPath() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.py == nil {
		return ""
	}
	return p.py.path
}

// ZygotePID is the current zygote's process id; 0 when there is none.
func (p *Pool) ZygotePID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current == nil {
		return 0
	}
	return p.current.pid()
}
