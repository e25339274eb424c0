// Command bench measures Bifrost as a user would notice it: how long a
// process takes from start to /ready, how much memory it holds idle, how
// fast the probes answer, what the runner pool adds to a run, and how fast
// executions go through the API, the queue and a worker. It runs the real binary against the local
// PostgreSQL, RabbitMQ and Redis, on a database, queues and keys of its own
// that it removes afterwards, and prints a Markdown table.
//
//	go tool task bench                    # builds bin/bifrost first
//	go run ./bench -bin bin/bifrost -runs 15
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/db"
)

var (
	bin              = flag.String("bin", "bin/bifrost", "bifrost binary to measure")
	runs             = flag.Int("runs", 10, "start-ups to measure per configuration")
	idle             = flag.Duration("idle", 3*time.Second, "how long a process idles before its memory is read")
	requests         = flag.Int("requests", 2000, "sequential requests per probe latency measurement")
	loginClients     = flag.Int("login-clients", 4, "concurrent clients in the login benchmark")
	loginFor         = flag.Duration("login-for", 10*time.Second, "how long the login benchmark runs")
	argonMemory      = flag.Int("argon2-memory-kib", 64*1024, "argon2id memory of the measured server (the production default)")
	argonIterations  = flag.Int("argon2-iterations", 3, "argon2id iterations")
	argonParallelism = flag.Int("argon2-parallelism", 2, "argon2id parallelism")
	pgURL            = flag.String("database", "postgres://postgres@127.0.0.1:5432/bifrost_bench?sslmode=disable", "database the processes use (created and dropped)")
	mqURL            = flag.String("rabbitmq", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL")
	redisURL         = flag.String("redis", "redis://127.0.0.1:6379/0", "Redis URL")
	suites           = flag.String("suites", "platform,workflows,executions", "what to measure: platform (start-up, memory, requests, sign-in), workflows (the runner pool, discovery, Python memory), executions (sync round trip, async throughput, history list under load)")
	poolRuns         = flag.Int("pool-runs", 1000, "sequential no-op runs for the runner pool's overhead")
	poolConcurrency  = flag.Int("pool-concurrency", 16, "runs at once in the runner pool's throughput measurement (workflows.concurrency)")
	discoveryFiles   = flag.Int("discovery-files", 500, "workflow files in the discovery benchmark's workspace")
)

const (
	prefix        = "bench."
	benchPassword = "a benchmark password"
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type result struct {
	name  string
	unit  string
	value []float64
}

func run() error {
	var results []result
	want := map[string]bool{}
	for _, s := range strings.Split(*suites, ",") {
		want[strings.TrimSpace(s)] = true
	}
	if want["platform"] {
		r, err := platformBenchmarks()
		if err != nil {
			return err
		}
		results = append(results, r...)
	}
	if want["workflows"] {
		r, err := workflowBenchmarks()
		if err != nil {
			return err
		}
		results = append(results, r...)
	}
	if want["executions"] {
		r, err := executionBenchmarks()
		if err != nil {
			return err
		}
		results = append(results, r...)
	}
	fmt.Printf("bifrost %s on %s/%s, %d CPUs, %s\n\n", version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Println("| measurement | unit | n | min | median | p90 | p99 | max |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		s := append([]float64(nil), r.value...)
		sort.Float64s(s)
		if len(s) == 0 {
			continue
		}
		fmt.Printf("| %s | %s | %d | %s | %s | %s | %s | %s |\n", r.name, r.unit, len(s), f(s[0]), f(pct(s, 50)), f(pct(s, 90)), f(pct(s, 99)), f(s[len(s)-1]))
	}
	return nil
}

// platformBenchmarks measures the binary: start-up, idle memory, request
// latency and sign-in throughput.
func platformBenchmarks() ([]result, error) {
	abs, err := filepath.Abs(*bin)
	if err != nil {
		return nil, err
	}
	*bin = abs
	defer cleanup()
	migrate := exec.Command(*bin, "migrate", "up")
	migrate.Env = env()
	if out, err := migrate.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("migrate up: %v\n%s", err, out)
	}

	var results []result
	for _, roles := range []string{"api", "api,worker,scheduler"} {
		var startup, rss []float64
		for i := 0; i < *runs; i++ {
			d, kb, err := startOnce(roles, i == 0)
			if err != nil {
				return nil, err
			}
			startup = append(startup, float64(d.Microseconds())/1000)
			if kb > 0 {
				rss = append(rss, float64(kb)/1024)
			}
		}
		results = append(results,
			result{"start to /ready 200, serve --roles=" + roles, "ms", startup},
			result{fmt.Sprintf("idle RSS after %s, serve --roles=%s", *idle, roles), "MiB", rss})
	}

	create := exec.Command(*bin, "user", "create", "--email", "bench@example.com", "--admin", "--password-stdin")
	create.Env = env()
	create.Stdin = strings.NewReader(benchPassword + "\n")
	if out, err := create.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("user create: %v\n%s", err, out)
	}
	p, base, err := spawn("api")
	if err != nil {
		return nil, err
	}
	defer stop(p)
	for _, path := range []string{"/health", "/ready", "/api/openapi.json"} {
		lat, err := latency(base+path, "")
		if err != nil {
			return nil, err
		}
		results = append(results, result{fmt.Sprintf("GET %s, %d sequential requests", path, *requests), "ms", lat})
	}
	token, err := login(base)
	if err != nil {
		return nil, err
	}
	lat, err := latency(base+"/api/permissions", token)
	if err != nil {
		return nil, err
	}
	results = append(results, result{fmt.Sprintf("GET /api/permissions with a bearer token, %d sequential requests", *requests), "ms", lat})
	rate, logins, err := loginThroughput(base)
	if err != nil {
		return nil, err
	}
	results = append(results,
		result{fmt.Sprintf("POST /api/auth/login, %d clients for %s (argon2id m=%d MiB, t=%d, p=%d)", *loginClients, *loginFor, *argonMemory/1024, *argonIterations, *argonParallelism), "ms", logins},
		result{"login throughput", "logins/s", []float64{rate}})
	return results, nil
}

// execCommand runs a bifrost command with the bench's configuration.
func execCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(*bin, args...)
	cmd.Env = env()
	return cmd
}

func f(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func pct(s []float64, p int) float64 {
	i := (len(s)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return s[i-1]
}

func env() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BIFROST_") {
			out = append(out, kv)
		}
	}
	return append(out,
		"BIFROST_DATABASE_URL="+*pgURL,
		"BIFROST_RABBITMQ_URL="+*mqURL,
		"BIFROST_RABBITMQ_PREFIX="+prefix,
		"BIFROST_REDIS_URL="+*redisURL,
		"BIFROST_REDIS_PREFIX=bench:",
		"BIFROST_SECRET_KEY="+strings.Repeat("b", 64),
		"BIFROST_DATA_DIR="+os.TempDir()+"/bifrost-bench",
		"BIFROST_HTTP_ADDR=127.0.0.1:0",
		"BIFROST_LOG_LEVEL=info",
		"BIFROST_AUTH_LOGIN_ATTEMPTS_PER_ADDRESS=100000000",
		fmt.Sprintf("BIFROST_AUTH_ARGON2_MEMORY_KIB=%d", *argonMemory),
		fmt.Sprintf("BIFROST_AUTH_ARGON2_ITERATIONS=%d", *argonIterations),
		fmt.Sprintf("BIFROST_AUTH_ARGON2_PARALLELISM=%d", *argonParallelism),
	)
}

var readyRe = regexp.MustCompile(`"msg":"bifrost ready","addr":"([^"]+)"`)

// spawn starts serve and returns once it logs its address.
func spawn(roles string) (*exec.Cmd, string, error) { return spawnWith(roles) }

// spawnWith is spawn with more configuration.
func spawnWith(roles string, extra ...string) (*exec.Cmd, string, error) {
	cmd := exec.Command(*bin, "serve", "--roles="+roles)
	cmd.Env = append(append(env(), "BIFROST_DATABASE_AUTO_MIGRATE=false"), extra...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := readyRe.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return cmd, "http://" + a, nil
	case <-time.After(30 * time.Second):
		stop(cmd)
		return nil, "", fmt.Errorf("serve --roles=%s did not start in 30s", roles)
	}
}

// startOnce measures from exec to the first 200 from /ready, then the
// process's resident memory after it idles.
func startOnce(roles string, warm bool) (time.Duration, int64, error) {
	t0 := time.Now()
	cmd, base, err := spawn(roles)
	if err != nil {
		return 0, 0, err
	}
	defer stop(cmd)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(base + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(t0) > 30*time.Second {
			return 0, 0, fmt.Errorf("/ready not 200 after 30s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	d := time.Since(t0)
	time.Sleep(*idle)
	return d, rss(cmd.Process.Pid), nil
}

func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb
		}
	}
	return 0
}

func latency(url, bearer string) ([]float64, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	out := make([]float64, 0, *requests)
	for i := 0; i < *requests; i++ {
		t := time.Now()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		_, _ = bufio.NewReader(resp.Body).Discard(1 << 30)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %d", url, resp.StatusCode)
		}
		out = append(out, float64(time.Since(t).Microseconds())/1000)
	}
	return out, nil
}

func login(base string) (string, error) {
	body := `{"email":"bench@example.com","password":"` + benchPassword + `"}`
	resp, err := http.Post(base+"/api/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tk); err != nil || tk.AccessToken == "" {
		return "", fmt.Errorf("login: status %d", resp.StatusCode)
	}
	return tk.AccessToken, nil
}

// loginThroughput runs concurrent clients signing in for a while.
func loginThroughput(base string) (float64, []float64, error) {
	var mu sync.Mutex
	var lat []float64
	var firstErr error
	end := time.Now().Add(*loginFor)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < *loginClients; i++ {
		wg.Go(func() {
			for time.Now().Before(end) {
				t := time.Now()
				if _, err := login(base); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				mu.Lock()
				lat = append(lat, float64(time.Since(t).Microseconds())/1000)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return float64(len(lat)) / time.Since(start).Seconds(), lat, firstErr
}

func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func version() string {
	out, err := exec.Command(*bin, "version", "--json").Output()
	if err != nil {
		return "?"
	}
	if m := regexp.MustCompile(`"version": "([^"]+)"`).FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "?"
}

// cleanup removes the bench's database, queues, exchanges and keys.
func cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if name, err := db.DatabaseName(*pgURL); err == nil {
		if maint, err := db.WithDatabase(*pgURL, "postgres"); err == nil {
			if d, err := db.Open(db.Options{URL: maint}); err == nil {
				_, _ = d.ExecContext(ctx, "DROP DATABASE IF EXISTS "+db.QuoteIdent(name)+" WITH (FORCE)")
				d.Close()
			}
		}
	}
	if c, err := amqp.Dial(*mqURL); err == nil {
		if ch, err := c.Channel(); err == nil {
			_ = bus.Topology{Prefix: prefix}.Delete(ch)
		}
		c.Close()
	}
	if out, err := exec.Command("redis-cli", "-u", *redisURL, "--scan", "--pattern", "bench:*").Output(); err == nil && len(out) > 0 {
		args := append([]string{"-u", *redisURL, "del"}, strings.Fields(string(out))...)
		_ = exec.Command("redis-cli", args...).Run()
	}
	_ = os.RemoveAll(os.TempDir() + "/bifrost-bench")
}
