// Package queue is Hindsight's transport, over asynq (Redis): the task types and their payloads, the
// enqueueing of work (webhook deliveries, replays, reminders), the worker with its task handlers, which
// decode a task and call the lifecycle's entry point, and the one place that decides from an error's kind
// whether a task is retried or archived (retryOrArchive, archiveRejected).
package queue
