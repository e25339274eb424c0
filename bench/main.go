// Command bench measures Bifrost as a user would notice it: how long a
// process takes from start to /ready, how much memory it holds idle, and how
// fast the probes answer. It runs the real binary against the local
// PostgreSQL, RabbitMQ and Redis, on a database, queues and keys of its own
// that it removes afterwards, and prints a Markdown table.
//
//	go tool task bench                    # builds bin/bifrost first
//	go run ./bench -bin bin/bifrost -runs 15
package main

import (
	"bufio"
	"context"
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
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/db"
)

var (
	bin      = flag.String("bin", "bin/bifrost", "bifrost binary to measure")
	runs     = flag.Int("runs", 10, "start-ups to measure per configuration")
	idle     = flag.Duration("idle", 3*time.Second, "how long a process idles before its memory is read")
	requests = flag.Int("requests", 2000, "sequential requests per probe latency measurement")
	pgURL    = flag.String("database", "postgres://postgres@127.0.0.1:5432/bifrost_bench?sslmode=disable", "database the processes use (created and dropped)")
	mqURL    = flag.String("rabbitmq", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL")
	redisURL = flag.String("redis", "redis://127.0.0.1:6379/0", "Redis URL")
)

const prefix = "bench."

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
	abs, err := filepath.Abs(*bin)
	if err != nil {
		return err
	}
	*bin = abs
	defer cleanup()
	migrate := exec.Command(*bin, "migrate", "up")
	migrate.Env = env()
	if out, err := migrate.CombinedOutput(); err != nil {
		return fmt.Errorf("migrate up: %v\n%s", err, out)
	}

	var results []result
	for _, roles := range []string{"api", "api,worker,scheduler"} {
		var startup, rss []float64
		for i := 0; i < *runs; i++ {
			d, kb, err := startOnce(roles, i == 0)
			if err != nil {
				return err
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

	p, base, err := spawn("api")
	if err != nil {
		return err
	}
	for _, path := range []string{"/health", "/ready", "/api/openapi.json"} {
		lat, err := latency(base + path)
		if err != nil {
			stop(p)
			return err
		}
		results = append(results, result{fmt.Sprintf("GET %s, %d sequential requests", path, *requests), "ms", lat})
	}
	stop(p)

	fmt.Printf("bifrost %s on %s/%s, %d CPUs, %s\n\n", version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Println("| measurement | unit | n | min | median | p90 | max |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, r := range results {
		s := append([]float64(nil), r.value...)
		sort.Float64s(s)
		if len(s) == 0 {
			continue
		}
		fmt.Printf("| %s | %s | %d | %s | %s | %s | %s |\n", r.name, r.unit, len(s), f(s[0]), f(pct(s, 50)), f(pct(s, 90)), f(s[len(s)-1]))
	}
	return nil
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
	)
}

var readyRe = regexp.MustCompile(`"msg":"bifrost ready","addr":"([^"]+)"`)

// spawn starts serve and returns once it logs its address.
func spawn(roles string) (*exec.Cmd, string, error) {
	cmd := exec.Command(*bin, "serve", "--roles="+roles)
	cmd.Env = append(env(), "BIFROST_DATABASE_AUTO_MIGRATE=false")
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

func latency(url string) ([]float64, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	out := make([]float64, 0, *requests)
	for i := 0; i < *requests; i++ {
		t := time.Now()
		resp, err := client.Get(url)
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
