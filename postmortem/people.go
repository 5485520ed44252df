package postmortem

// EachPerson calls fn with every person reference of the incident, in order of importance for a
// postmortem: assignees, acknowledgers and the last status changer first, then note authors, then the
// people of log entries and webhook events. fn may change the person in place.
func (inc *Incident) EachPerson(fn func(*Person)) {
	for i := range inc.Assignees {
		fn(&inc.Assignees[i])
	}
	for i := range inc.Acknowledgements {
		fn(&inc.Acknowledgements[i].Person)
	}
	for i := range inc.Assignments {
		fn(&inc.Assignments[i].Person)
	}
	fn(&inc.LastStatusChangeBy)
	for i := range inc.ResponderRequests {
		fn(&inc.ResponderRequests[i].Person)
		fn(&inc.ResponderRequests[i].Requester)
	}
	for i := range inc.Notes {
		fn(&inc.Notes[i].User)
	}
	for i := range inc.LogEntries {
		le := &inc.LogEntries[i]
		fn(&le.Agent)
		for j := range le.Users {
			fn(&le.Users[j])
		}
	}
	for i := range inc.Events {
		ev := &inc.Events[i]
		fn(&ev.Agent)
		for j := range ev.People {
			fn(&ev.People[j])
		}
	}
}

// UserIDs are the IDs of the human users the incident names, each once, in the order of EachPerson.
func (inc *Incident) UserIDs() []string {
	seen := map[string]bool{}
	var ids []string
	inc.EachPerson(func(p *Person) {
		if p.ID != "" && p.IsUser() && !seen[p.ID] {
			seen[p.ID] = true
			ids = append(ids, p.ID)
		}
	})
	return ids
}

// SetEmails fills in the email of every reference to a user whose email is known, by user ID.
func (inc *Incident) SetEmails(emails map[string]string) {
	if len(emails) == 0 {
		return
	}
	inc.EachPerson(func(p *Person) {
		if e, ok := emails[p.ID]; ok && p.ID != "" && p.Email == "" {
			p.Email = e
		}
	})
}
