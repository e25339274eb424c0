package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bifrost-automation/bifrost/modules/workflows"
)

// workflowBenchmarks measures the Python side: what the runner pool adds
// to a run (against starting a bare interpreter), how long discovery takes
// for a large workspace, and the memory of the zygote and of a run.
func workflowBenchmarks() ([]result, error) {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "bifrost-bench-workflows-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var results []result

	// The pool's overhead: a no-op workflow, fork to result.
	small := filepath.Join(tmp, "small")
	if err := os.MkdirAll(small, 0o755); err != nil {
		return nil, err
	}
	noop := "import os, time\nfrom bifrost import workflow\n\n@workflow\ndef noop():\n    return None\n\n" +
		"@workflow\ndef hold():\n    print(os.getpid())\n    time.sleep(1.5)\n    return None\n"
	if err := os.WriteFile(filepath.Join(small, "noop.py"), []byte(noop), 0o644); err != nil {
		return nil, err
	}
	pool := workflows.NewPool(workflows.PoolOptions{Python: "python3", Workspace: small, CacheDir: filepath.Join(tmp, "cache"),
		Concurrency: *poolConcurrency, Logger: quiet})
	if err := pool.Start(ctx); err != nil {
		return nil, err
	}
	defer pool.Stop()
	if err := pool.WaitLoaded(ctx); err != nil {
		return nil, err
	}
	for range 50 { // warm-up
		if _, err := pool.Run(ctx, workflows.RunRequest{Name: "noop"}); err != nil {
			return nil, err
		}
	}
	var overhead []float64
	for range *poolRuns {
		t0 := time.Now()
		res, err := pool.Run(ctx, workflows.RunRequest{Name: "noop"})
		if err != nil {
			return nil, err
		}
		if res.Status != workflows.StatusSuccess {
			return nil, fmt.Errorf("noop ended %s: %+v", res.Status, res.Error)
		}
		overhead = append(overhead, ms(time.Since(t0)))
	}
	results = append(results, result{fmt.Sprintf("no-op workflow through the runner pool, fork to result, %d sequential runs", *poolRuns), "ms", overhead})

	// Throughput with every slot busy: what a worker can sustain.
	var each []float64
	var eachMu sync.Mutex
	var failed error
	t0 := time.Now()
	var wg sync.WaitGroup
	for range *poolConcurrency {
		wg.Go(func() {
			for range *poolRuns / *poolConcurrency {
				t := time.Now()
				res, err := pool.Run(ctx, workflows.RunRequest{Name: "noop"})
				if err == nil && res.Status != workflows.StatusSuccess {
					err = fmt.Errorf("noop ended %s: %+v", res.Status, res.Error)
				}
				eachMu.Lock()
				if err != nil {
					failed = err
				}
				each = append(each, ms(time.Since(t)))
				eachMu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed != nil {
		return nil, failed
	}
	results = append(results,
		result{fmt.Sprintf("no-op workflow through the runner pool, %d at once, %d runs", *poolConcurrency, len(each)), "ms", each},
		result{fmt.Sprintf("no-op runs through the runner pool, %d at once", *poolConcurrency), "runs/s", []float64{float64(len(each)) / time.Since(t0).Seconds()}})

	python := pool.PythonPath()
	var bare []float64
	for range 50 {
		t0 := time.Now()
		if out, err := exec.Command(python, "-c", "pass").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%s -c pass: %v\n%s", python, err, out)
		}
		bare = append(bare, ms(time.Since(t0)))
	}
	results = append(results, result{"for comparison: " + python + " -c pass, 50 runs", "ms", bare})

	// Memory: the zygote idle, and a run while it holds.
	zygoteRSS, zygotePSS := memory(pool.ZygotePID())
	results = append(results,
		result{"zygote RSS, SDK and a 1-file workspace imported", "MiB", []float64{zygoteRSS}},
		result{"zygote PSS (its share of pages)", "MiB", []float64{zygotePSS}})
	var mu sync.Mutex
	pid := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = pool.Run(ctx, workflows.RunRequest{Name: "hold", OnLog: func(l workflows.LogLine) {
			if n, err := strconv.Atoi(strings.TrimSpace(l.Message)); err == nil {
				mu.Lock()
				pid = n
				mu.Unlock()
			}
		}})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		p := pid
		mu.Unlock()
		if p != 0 {
			time.Sleep(200 * time.Millisecond)
			childRSS, childPSS := memory(p)
			childUSS := private(p)
			results = append(results,
				result{"a running workflow: RSS (mostly pages shared with the zygote)", "MiB", []float64{childRSS}},
				result{"a running workflow: PSS", "MiB", []float64{childPSS}},
				result{"a running workflow: private memory (USS), what each concurrent run adds", "MiB", []float64{childUSS}})
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	<-done

	// Discovery of a large workspace.
	big := filepath.Join(tmp, "big")
	for i := range *discoveryFiles {
		dir := filepath.Join(big, fmt.Sprintf("team_%02d", i%20))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		src := fmt.Sprintf(`"""Workflow %[1]d."""
import logging
from typing import Literal
from bifrost import workflow, param, data_provider

log = logging.getLogger(__name__)

@workflow(category="Team %[2]d", tags=["generated"], timeout_seconds=300)
@param("user", "email", required=True, help_text="The user")
@param("mode", "string", default_value="fast", validation={"pattern": "^(fast|slow)$"})
def workflow_%[1]d(user, mode="fast"):
    """Does task %[1]d for a user."""
    log.info("task %[1]d for %%s", user)
    return {"user": user, "mode": mode}

@workflow(category="Team %[2]d")
async def typed_%[1]d(name: str, count: int = 1, kind: Literal["a", "b"] = "a", tags: list[str] | None = None) -> dict:
    return {"name": name}
`, i, i%20)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("wf_%04d.py", i)), []byte(src), 0o644); err != nil {
			return nil, err
		}
	}
	var discovery, ready []float64
	var bigRSS, bigPSS float64
	for i := range 5 {
		cache := filepath.Join(tmp, fmt.Sprintf("cache-big-%d", i)) // cold byte-code cache each time
		p := workflows.NewPool(workflows.PoolOptions{Python: "python3", Workspace: big, CacheDir: cache, Concurrency: 2, Logger: quiet})
		t0 := time.Now()
		if err := p.Start(ctx); err != nil {
			return nil, err
		}
		if err := p.WaitLoaded(ctx); err != nil {
			return nil, err
		}
		ready = append(ready, ms(time.Since(t0)))
		reg := p.Registry()
		if n := len(reg.Workflows); n != 2**discoveryFiles || len(reg.Errors) > 0 {
			p.Stop()
			return nil, fmt.Errorf("discovery found %d workflows and %d errors", n, len(reg.Errors))
		}
		discovery = append(discovery, reg.DurationMs)
		if i == 4 {
			bigRSS, bigPSS = memory(p.ZygotePID())
		}
		p.Stop()
	}
	results = append(results,
		result{fmt.Sprintf("discovery of %d files (%d workflows): importing them", *discoveryFiles, 2**discoveryFiles), "ms", discovery},
		result{fmt.Sprintf("discovery of %d files: pool start to ready (interpreter start, cold byte-code cache)", *discoveryFiles), "ms", ready},
		result{fmt.Sprintf("zygote RSS with %d files imported", *discoveryFiles), "MiB", []float64{bigRSS}},
		result{fmt.Sprintf("zygote PSS with %d files imported", *discoveryFiles), "MiB", []float64{bigPSS}})
	return results, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// memory reads a process's RSS and PSS in MiB.
func memory(pid int) (rss, pss float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "Rss:":
			rss = kb / 1024
		case "Pss:":
			pss = kb / 1024
		}
	}
	return rss, pss
}

// private reads a process's unique set size (private pages) in MiB.
func private(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	var kb float64
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 2 && (fields[0] == "Private_Clean:" || fields[0] == "Private_Dirty:") {
			v, _ := strconv.ParseFloat(fields[1], 64)
			kb += v
		}
	}
	return kb / 1024
}
