package postmortem

import "strings"

// notesWithEvents returns the incident's notes plus those only its incident.annotated webhook events
// carry, as when no PagerDuty token lets the pipeline read the notes: an event whose text is already a
// note's is the same note. An event's note is keyed by the event's ID.
func notesWithEvents(inc Incident) []Note {
	seen := make(map[string]bool, len(inc.Notes))
	for _, n := range inc.Notes {
		seen[strings.TrimSpace(n.Content)] = true
	}
	notes := inc.Notes
	for _, e := range inc.Events {
		text := strings.TrimSpace(e.Text)
		if e.Type != "incident.annotated" || text == "" || seen[text] {
			continue
		}
		seen[text] = true
		notes = append(notes[:len(notes):len(notes)], Note{ID: e.ID, At: e.At, User: e.Agent, Content: e.Text})
	}
	return notes
}
