package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/db"
)

var (
	syncRuns     = flag.Int("sync-runs", 1000, "sequential sync executions for the round-trip measurement")
	asyncTotal   = flag.Int("async-total", 5000, "async executions submitted at once for the throughput measurement")
	asyncClients = flag.Int("async-clients", 32, "concurrent clients submitting the async executions")
	listClients  = flag.Int("list-clients", 50, "concurrent connections for the history-list measurement")
	listFor      = flag.Duration("list-for", 10*time.Second, "how long each concurrent-request measurement runs")
	workerSlots  = flag.Int("worker-concurrency", 16, "workflows.concurrency of the measured server")
)

const execWorkspace = `from bifrost import workflow


@workflow(execution_mode="sync")
def noop_sync() -> None:
    return None


@workflow(execution_mode="async")
def noop_async() -> None:
    return None
`

// executionBenchmarks measures the path every run takes, with the api,
// worker and scheduler in one process and every service on this machine:
// a sync round trip, the throughput of many async runs, and the history
// list under concurrent load next to a trivial handler.
func executionBenchmarks() ([]result, error) {
	abs, err := filepath.Abs(*bin)
	if err != nil {
		return nil, err
	}
	*bin = abs
	defer cleanup()
	ws, err := os.MkdirTemp("", "bifrost-bench-executions-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(ws)
	if err := os.WriteFile(filepath.Join(ws, "noop.py"), []byte(execWorkspace), 0o644); err != nil {
		return nil, err
	}
	if err := prepare(); err != nil {
		return nil, err
	}
	p, base, err := spawnWith("api,worker,scheduler", "BIFROST_WORKSPACE_PATH="+ws, fmt.Sprintf("BIFROST_WORKFLOWS_CONCURRENCY=%d", *workerSlots))
	if err != nil {
		return nil, err
	}
	defer stop(p)
	token, err := login(base)
	if err != nil {
		return nil, err
	}
	c := &client{base: base, token: token, http: &http.Client{Timeout: 2 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}}
	if err := c.waitFor("noop_async"); err != nil {
		return nil, err
	}
	var results []result

	// (a) A sync round trip: POST execute until the result is in the answer.
	for range 50 { // warm-up
		if _, err := c.execute("noop_sync", http.StatusOK); err != nil {
			return nil, err
		}
	}
	var trip []float64
	for range *syncRuns {
		t0 := time.Now()
		if _, err := c.execute("noop_sync", http.StatusOK); err != nil {
			return nil, err
		}
		trip = append(trip, ms(time.Since(t0)))
	}
	results = append(results, result{fmt.Sprintf("sync no-op: POST /api/workflows/{name}/execute to its result, %d sequential runs", *syncRuns), "ms", trip})
	d, err := db.Open(db.Options{URL: *pgURL, MaxOpenConns: 2, MaxIdleConns: 2})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	queued, held, err := phases(d, "noop_sync")
	if err != nil {
		return nil, err
	}
	results = append(results,
		result{"sync no-op: created to claimed (insert, publish, delivery, claim)", "ms", queued},
		result{"sync no-op: claimed to recorded outcome on the worker", "ms", held})

	// (b) Many async runs submitted at once, until every one is Success.
	t0 := time.Now()
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range *asyncClients {
		wg.Go(func() {
			for next.Add(1) <= int64(*asyncTotal) {
				if _, err := c.execute("noop_async", http.StatusAccepted); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, err
	}
	submitted := time.Since(t0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for {
		var done, failed int
		err := d.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'Success'), count(*) FILTER (WHERE status IN ('Failed','Timeout','Cancelled','CompletedWithErrors'))
			FROM executions WHERE workflow_name = 'noop_async'`).Scan(&done, &failed)
		if err != nil {
			return nil, err
		}
		if failed > 0 {
			return nil, fmt.Errorf("%d async no-op executions did not succeed", failed)
		}
		if done >= *asyncTotal {
			break
		}
		time.Sleep(250 * time.Millisecond) // each poll scans the table: keep the bench out of the measurement
	}
	all := time.Since(t0)
	_, held, err = phases(d, "noop_async")
	if err != nil {
		return nil, err
	}
	results = append(results,
		result{fmt.Sprintf("async no-op: claimed to recorded outcome on the worker, %d at once", *workerSlots), "ms", held},
		result{fmt.Sprintf("async no-op: %d submitted by %d clients, accepted", *asyncTotal, *asyncClients), "executions/s", []float64{float64(*asyncTotal) / submitted.Seconds()}},
		result{fmt.Sprintf("async no-op: %d submitted at once until all are Success", *asyncTotal), "executions/s", []float64{float64(*asyncTotal) / all.Seconds()}})

	// (c) The history list under load, next to trivial handlers measured
	// in the same run: /health in the same server, and a bare echo server.
	echoBase, stopEcho, err := echoServer()
	if err != nil {
		return nil, err
	}
	defer stopEcho()
	for _, m := range []struct{ name, url, token string }{
		{"GET /api/executions?limit=25", base + "/api/executions?limit=25", token},
		{"for comparison: GET /health of the same server", base + "/health", ""},
		{"for comparison: a bare echo handler in the bench process", echoBase + "/echo", ""},
	} {
		rps, lat, err := hammer(m.url, m.token)
		if err != nil {
			return nil, err
		}
		results = append(results,
			result{fmt.Sprintf("%s, %d connections for %s", m.name, *listClients, *listFor), "ms", lat},
			result{m.name + ", throughput", "requests/s", []float64{rps}})
	}
	return results, nil
}

// phases reads, for a workflow's executions, how long each waited from
// its creation to its claim and how long the worker then held it.
func phases(d *db.DB, workflow string) (queued, held []float64, err error) {
	rows, err := d.QueryContext(context.Background(), `SELECT extract(epoch FROM started_at - created_at) * 1000,
		extract(epoch FROM completed_at - started_at) * 1000 FROM executions WHERE workflow_name = ?`, workflow)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var q, h float64
		if err := rows.Scan(&q, &h); err != nil {
			return nil, nil, err
		}
		queued, held = append(queued, q), append(held, h)
	}
	return queued, held, rows.Err()
}

// prepare migrates the bench database and creates the admin account.
func prepare() error {
	for _, args := range [][]string{{"migrate", "up"}, {"user", "create", "--email", "bench@example.com", "--admin", "--password-stdin"}} {
		cmd := execCommand(args...)
		cmd.Stdin = strings.NewReader(benchPassword + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

type client struct {
	base, token string
	http        *http.Client
}

func (c *client) do(method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// waitFor waits until the worker has loaded a workflow.
func (c *client) waitFor(name string) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if status, _, err := c.do(http.MethodGet, "/api/workflows/"+name, nil); err == nil && status == http.StatusOK {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the worker did not load %s within a minute", name)
}

func (c *client) execute(name string, want int) (string, error) {
	status, b, err := c.do(http.MethodPost, "/api/workflows/"+name+"/execute", []byte(`{"input_data":{}}`))
	if err != nil {
		return "", err
	}
	var out struct {
		ExecutionID string `json:"execution_id"`
		Status      string `json:"status"`
	}
	if status != want || json.Unmarshal(b, &out) != nil {
		return "", fmt.Errorf("execute %s: %d %s", name, status, b)
	}
	if want == http.StatusOK && out.Status != "Success" {
		return "", fmt.Errorf("execute %s ended %s: %s", name, out.Status, b)
	}
	return out.ExecutionID, nil
}

// hammer sends GETs from listClients connections for listFor and returns
// the request rate and every latency.
func hammer(url, token string) (float64, []float64, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: *listClients, MaxConnsPerHost: *listClients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var mu sync.Mutex
	var lat []float64
	var firstErr error
	end := time.Now().Add(*listFor)
	start := time.Now()
	var wg sync.WaitGroup
	for range *listClients {
		wg.Go(func() {
			mine := make([]float64, 0, 4096)
			defer func() {
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
			for time.Now().Before(end) {
				t := time.Now()
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := hc.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("GET %s: %d", url, resp.StatusCode)
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				mine = append(mine, ms(time.Since(t)))
			}
		})
	}
	wg.Wait()
	sort.Float64s(lat)
	return float64(len(lat)) / time.Since(start).Seconds(), lat, firstErr
}

// echoServer serves a trivial JSON handler with echo, the HTTP framework
// Bifrost uses, to show what the machine allows.
func echoServer() (string, func(), error) {
	e := echo.New()
	e.GET("/echo", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"echo": c.QueryParam("q")})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: e}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}
