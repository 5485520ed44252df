package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/queue"
)

// TestConfigTaskCheckInterval: a worker polls every 100 ms unless told otherwise, and only between 10 ms
// and 10 s.
func TestConfigTaskCheckInterval(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(cfg.Worker.TaskCheckInterval); got != queue.DefaultTaskCheckInterval {
		t.Errorf("default worker.task_check_interval = %s, want 100ms", got)
	}
	env := map[string]string{"HINDSIGHT_CONFIG": writeConfig(t, "worker:\n  task_check_interval: 250ms\n")}
	cfg, err = loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(cfg.Worker.TaskCheckInterval); got != 250*time.Millisecond {
		t.Errorf("worker.task_check_interval = %s, want 250ms", got)
	}
	for _, v := range []string{"1ms", "0s", "11s"} {
		env := map[string]string{"HINDSIGHT_CONFIG": writeConfig(t, "worker:\n  task_check_interval: "+v+"\n")}
		_, err := loadConfig(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), "worker.task_check_interval") {
			t.Errorf("task_check_interval %s: %v, want an error naming worker.task_check_interval", v, err)
		}
	}
}
