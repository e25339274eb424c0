package workflows

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
)

// zygote is one warm Python process with the SDK and the workspace
// imported. Runs are forks of it (DESIGN §8). The worker talks to it over
// two channels: fork requests (with the run's socket and output pipe as
// file descriptors) on a SOCK_SEQPACKET socket, and its events (ready,
// forked, exited) as JSON lines on a pipe.
type zygote struct {
	log  *slog.Logger
	cmd  *exec.Cmd
	ctrl *net.UnixConn

	ready     chan struct{} // closed once the workspace is imported (or the start failed)
	readyOnce sync.Once
	registry  *Registry
	startErr  error
	done      chan struct{} // closed when the process has ended

	mu       sync.Mutex
	forks    map[string]*child // run id → the child waiting for its fork
	exits    map[int]*child    // pid → the child waiting for its exit
	active   int               // runs forked from it and not yet ended
	retiring bool              // replaced: stop once the last run ends
	ended    bool

	// spares are children forked ahead of need, set up and waiting for a
	// start message: a run takes one instead of waiting for a fork.
	spares   chan *child
	stopFill chan struct{}
	fillStop sync.Once
}

type exitStatus struct {
	Code   *int `json:"code"`
	Signal *int `json:"signal"`
	lost   bool // the zygote ended before reporting
}

type zygoteEvent struct {
	T        string          `json:"t"`
	PID      int             `json:"pid"`
	Run      string          `json:"run"`
	Code     *int            `json:"code"`
	Signal   *int            `json:"signal"`
	Registry json.RawMessage `json:"registry"`
}

// startZygote starts the process; ready closes when it has imported the
// workspace.
func startZygote(py *python, root string, log *slog.Logger) (*zygote, error) {
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("workflows: zygote socket: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(pair[0]), "zygote-control"), os.NewFile(uintptr(pair[1]), "zygote-control-child")
	evR, evW, err := os.Pipe()
	if err != nil {
		ours.Close()
		theirs.Close()
		return nil, fmt.Errorf("workflows: zygote pipe: %w", err)
	}
	cmd := exec.Command(py.path, "-m", "bifrost._runtime", "zygote", root)
	cmd.Dir = root
	cmd.Env = py.env
	cmd.ExtraFiles = []*os.File{theirs, evW} // fds 3 and 4
	out := &lineLogger{log: log, msg: "workflows: zygote output"}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		ours.Close()
		theirs.Close()
		evR.Close()
		evW.Close()
		return nil, fmt.Errorf("workflows: start %s: %w", py.path, err)
	}
	theirs.Close()
	evW.Close()
	fc, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("workflows: zygote socket: %w", err)
	}
	z := &zygote{log: log, cmd: cmd, ctrl: fc.(*net.UnixConn), ready: make(chan struct{}), done: make(chan struct{}), stopFill: make(chan struct{}),
		spares: make(chan *child),
		forks:  map[string]*child{}, exits: map[int]*child{}}
	go z.readEvents(evR)
	go func() {
		err := cmd.Wait()
		out.Flush()
		z.mu.Lock()
		z.ended = true
		for _, c := range z.exits {
			c.status = exitStatus{lost: true}
			close(c.ended)
		}
		z.exits = map[int]*child{}
		for _, c := range z.forks {
			c.lost = true
			close(c.known)
			c.status = exitStatus{lost: true}
			close(c.ended)
		}
		z.forks = map[string]*child{}
		z.mu.Unlock()
		z.markReady(nil, fmt.Errorf("the Python process ended while importing the workspace (%v); its output is in the log", err))
		close(z.done)
	}()
	return z, nil
}

// markReady records the outcome of the start, once.
func (z *zygote) markReady(reg *Registry, err error) {
	z.readyOnce.Do(func() {
		z.registry, z.startErr = reg, err
		close(z.ready)
	})
}

func (z *zygote) readEvents(r io.ReadCloser) {
	defer r.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	for {
		var ev zygoteEvent
		if err := dec.Decode(&ev); err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				z.log.Warn("workflows: zygote events", "error", err)
			}
			return
		}
		switch ev.T {
		case "ready":
			reg := new(Registry)
			if err := json.Unmarshal(ev.Registry, reg); err != nil {
				z.markReady(nil, fmt.Errorf("workflows: the workspace registry is unreadable: %w", err))
			} else {
				reg.normalize()
				z.markReady(reg, nil)
			}
		case "forked":
			z.mu.Lock()
			if c, ok := z.forks[ev.Run]; ok {
				c.pid = ev.PID
				z.exits[ev.PID] = c
				close(c.known)
				delete(z.forks, ev.Run)
			}
			z.mu.Unlock()
		case "exited":
			z.mu.Lock()
			if c, ok := z.exits[ev.PID]; ok {
				c.status = exitStatus{Code: ev.Code, Signal: ev.Signal}
				close(c.ended)
				delete(z.exits, ev.PID)
			}
			z.mu.Unlock()
		}
	}
}

// forkLimits are the resource limits of one run.
type forkLimits struct {
	MemoryBytes int64 `json:"memory_bytes,omitempty"`
	CPUSeconds  int   `json:"cpu_seconds,omitempty"`
}

// child is a forked run: its socket, its raw output, and (once the zygote
// reports the fork) its pid and exit.
type child struct {
	conn *net.UnixConn
	out  *os.File

	known chan struct{} // closed when pid is set, or the fork is lost
	pid   int
	lost  bool

	ended  chan struct{} // closed when the process has ended; status says how
	status exitStatus
}

// wait returns the child's pid once the zygote has reported the fork; ok
// is false if it never will.
func (c *child) wait() (pid int, ok bool) {
	select {
	case <-c.known:
		return c.pid, !c.lost
	case <-time.After(30 * time.Second):
		return 0, false
	}
}

// signal sends sig to the child's process group (it and what it started).
func (c *child) signal(sig syscall.Signal) {
	if pid, ok := c.wait(); ok {
		_ = syscall.Kill(-pid, sig)
	}
}

// keepSpares keeps n children forked ahead of need until the zygote
// retires.
func (z *zygote) keepSpares(n int) {
	z.spares = make(chan *child, n)
	go func() {
		for {
			c, err := z.fork(uuid.NewString())
			if err != nil {
				return
			}
			select {
			case z.spares <- c:
			case <-z.stopFill:
				c.discard()
				return
			}
		}
	}()
}

// take returns a spare child, or forks one.
func (z *zygote) take(runID string) (*child, error) {
	select {
	case c := <-z.spares:
		return c, nil
	default:
		return z.fork(runID)
	}
}

// dropSpares lets the spares go (each exits when its socket closes).
func (z *zygote) dropSpares() {
	z.fillStop.Do(func() { close(z.stopFill) })
	for {
		select {
		case c := <-z.spares:
			c.discard()
		default:
			return
		}
	}
}

// discard closes a child that will not run: it exits on its own.
func (c *child) discard() {
	_ = c.conn.Close()
	_ = c.out.Close()
}

// fork asks the zygote for a new run process. It does not wait for the
// fork: the caller writes the start message at once, and the socket holds
// it until the child reads it.
func (z *zygote) fork(runID string) (*child, error) {
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("workflows: run socket: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(pair[0]), "run"), os.NewFile(uintptr(pair[1]), "run-child")
	defer theirs.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		ours.Close()
		return nil, fmt.Errorf("workflows: run pipe: %w", err)
	}
	defer outW.Close()
	fail := func(err error) (*child, error) {
		ours.Close()
		outR.Close()
		return nil, err
	}
	fc, err := net.FileConn(ours)
	if err != nil {
		return fail(fmt.Errorf("workflows: run socket: %w", err))
	}
	ours.Close()
	ours = nil
	fail = func(err error) (*child, error) {
		fc.Close()
		outR.Close()
		return nil, err
	}
	c := &child{conn: fc.(*net.UnixConn), out: outR, known: make(chan struct{}), ended: make(chan struct{})}
	z.mu.Lock()
	if z.ended {
		z.mu.Unlock()
		return fail(errZygoteGone)
	}
	z.forks[runID] = c
	z.mu.Unlock()
	msg, _ := json.Marshal(map[string]any{"t": "fork", "run": runID})
	if _, _, err := z.ctrl.WriteMsgUnix(msg, syscall.UnixRights(int(theirs.Fd()), int(outW.Fd())), nil); err != nil {
		z.mu.Lock()
		delete(z.forks, runID)
		z.mu.Unlock()
		return fail(fmt.Errorf("workflows: ask the zygote to fork: %w", err))
	}
	return c, nil
}

var errZygoteGone = errors.New("workflows: the Python zygote has stopped")

// acquire counts a run against the zygote; release ends it, and stops a
// retiring zygote after its last run.
func (z *zygote) acquire() bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.ended {
		return false
	}
	z.active++
	return true
}

func (z *zygote) release() {
	z.mu.Lock()
	z.active--
	stop := z.retiring && z.active == 0
	z.mu.Unlock()
	if stop {
		z.stop()
	}
}

// retire stops the zygote once no run forked from it is left.
func (z *zygote) retire() {
	z.dropSpares()
	z.mu.Lock()
	z.retiring = true
	stop := z.active == 0
	z.mu.Unlock()
	if stop {
		z.stop()
	}
}

// stop ends the zygote: closing its control socket makes it exit.
func (z *zygote) stop() {
	z.dropSpares()
	_ = z.ctrl.Close()
	select {
	case <-z.done:
	case <-time.After(5 * time.Second):
		_ = z.cmd.Process.Kill()
		<-z.done
	}
}

// pid is the zygote's process id.
func (z *zygote) pid() int { return z.cmd.Process.Pid }

// lineLogger logs a process's output line by line.
type lineLogger struct {
	log *slog.Logger
	msg string
	mu  sync.Mutex
	buf []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := indexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.log.Info(l.msg, "line", string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) > 64<<10 {
		l.log.Info(l.msg, "line", string(l.buf))
		l.buf = l.buf[:0]
	}
	return len(p), nil
}

// Flush logs what is left without a newline.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.log.Info(l.msg, "line", string(l.buf))
		l.buf = nil
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
