// Package distribution mails a merged postmortem to the lists configured for its incident, every
// recipient in Bcc, exactly once or said aloud, and notes on the PagerDuty incident to which lists it went.
// Its one entry point is (*Sender).Send, run by the queue's distribution:mail task.
package distribution
