// Package queue carries Hindsight's work through Redis: it enqueues tasks with asynq, and runs the job
// handlers that turn a resolved incident into a postmortem.
package queue
