package postmortem

import "errors"

// ErrRejected is wrapped by the errors of a request the outside system refused as invalid (GitHub's 422
// "Validation Failed"): the same request can never succeed, so its task is archived at once rather than
// retried.
var ErrRejected = errors.New("rejected as invalid")
