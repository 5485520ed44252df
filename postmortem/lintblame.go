package postmortem

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The blame-language rule reads sentences. It finds wording that judges (a verb such as "forgot", a
// counterfactual such as "should have", a hindsight word such as "simply", a blame question), finds the
// actor that wording is about, and reports it only when that actor is a person: a responder or a configured
// name, an @handle, a role noun ("the engineer", "the on-call") or a pronoun that stands for a person. Some
// wording is about a person whoever the subject is ("human error", "careless", "X's fault").

// lintActorKind says what the actor of a wording is.
type lintActorKind int

const (
	actorNone      lintActorKind = iota
	actorSystem                  // a thing: "the health check", "it", "Kafka"
	actorWe                      // "we": the team speaking of itself
	actorThey                    // "they": a person or a thing
	actorGuess                   // a capitalised word in subject position: a first name, or a product
	actorPerson                  // a name, an @handle, a role noun, "I", "he", "she", "you", "someone"
	actorPossessor               // "your", "his": a person owns what follows
	actorYou                     // "you": the reader in instructions, a person in a reproach
	actorAffected                // "the user", "customers": people the incident happened to
)

// lintTier says which actors a wording blames. Wording no system does ("forgot", "didn't bother") blames
// any actor that may be a person; wording systems also do ("failed to", "missed", "should have") blames
// a certain person only.
type lintTier int

const (
	tierOmission lintTier = iota // forgot, neglected, didn't bother: people, "we" and "they" included
	tierHuman                    // didn't know, misunderstood, by mistake: people, "they" and likely names
	tierJudging                  // failed to, missed, should have, simply: certain people only
)

func (t lintTier) blames(k lintActorKind) bool {
	switch k {
	case actorAffected:
		return t <= tierHuman
	case actorPerson:
		return true
	case actorWe:
		return t == tierOmission
	case actorThey:
		return t <= tierHuman
	case actorGuess:
		return t <= tierHuman
	}
	return false
}

// lintVerbRule is wording whose actor decides: tokens are matched in order, each a set of alternatives
// separated by "|"; "*" matches any one word.
type lintVerbRule struct {
	name   string // the name configuration uses for its rewording
	seq    [][]string
	tier   lintTier
	clause bool // the wording follows the verb ("by mistake"): the actor is the nearest person in the clause
	// anyVerb: a "*" of seq stands for a verb of an action: a past tense where seq starts with it, any verb
	// but one of state ("have", "need", "receive") after a negation.
	anyVerb bool
	kind    string // what the suggestion builds on: "to" (a verb follows), "object", "negated", "faulty", "counterfactual", "hindsight", "question"
}

func lintSeq(words ...string) [][]string {
	out := make([][]string, len(words))
	for i, w := range words {
		out[i] = strings.Split(w, "|")
	}
	return out
}

const (
	lintNot    = "not|n't|never"
	lintDidNot = "didn't|wasn't|weren't|never|couldn't|hadn't"
	// lintHindsightNext follow a hindsight word aimed at a person's action: "simply had to", "clearly didn't".
	lintHindsightNext    = "had|needed|didn't|wasn't|weren't|hadn't|never|forgot|ignored|missed|failed|skipped|neglected|should|could|ought|overlooked"
	lintFaulty           = "faulty|wrong|broken|bad|incorrect|buggy|untested|bogus|invalid|erroneous"
	lintHumanParticiples = "known|realised|realized|understood|noticed|double-checked|asked|paid|read"
	lintPersonVerb       = "check|test|verify|read|follow|look|review|wait|ask|escalate|run|update|notify|tell|confirm|validate|double-check|consider|notice|see|pay|inform|backup|back"
)

var lintVerbRules = []lintVerbRule{
	{name: "forgot to", seq: lintSeq("forgot|forgotten|forgets"), tier: tierOmission, kind: "to"},
	{name: "forgot to", seq: lintSeq("neglected|omitted", "to"), tier: tierOmission, kind: "to"},
	{name: "neglected", seq: lintSeq("neglected"), tier: tierOmission, kind: "object"},
	{name: "didn't bother", seq: lintSeq("didn't|never|wasn't|couldn't|can't|cannot|nobody|not", "bother|bothered|bothers"), tier: tierOmission, kind: "to"},
	{name: "didn't bother", seq: lintSeq("didn't|never|wasn't|couldn't|can't|cannot|nobody|not", "even", "bother|bothered|bothers"), tier: tierOmission, kind: "to"},
	{name: "didn't bother", seq: lintSeq("could|did", "not", "be|even", "bothered|bother"), tier: tierOmission, kind: "to"},
	{name: "didn't think to", seq: lintSeq("didn't|never", "think|thought", "to|of|about"), tier: tierHuman, kind: "to"},
	{name: "didn't think to", seq: lintSeq("did", "not", "think", "to|of|about"), tier: tierHuman, kind: "to"},
	{name: "didn't know", seq: lintSeq("didn't|never|wasn't|hadn't", "know|knew|aware|realise|realize|realised|realized|understand|understood|notice|noticed|care|cared"), tier: tierHuman, kind: "negated"},
	{name: "didn't know", seq: lintSeq("did|was|had", "not", "know|aware|realise|realize|realised|realized|understand|notice|care"), tier: tierHuman, kind: "negated"},
	{name: "misjudged", seq: lintSeq("misjudged|misunderstood|misread|misinterpreted|overlooked|misremembered|miscalculated"), tier: tierHuman, kind: "object"},
	{name: "by mistake", seq: lintSeq("by", "mistake|accident"), tier: tierHuman, clause: true, kind: "object"},
	{name: "pay attention", seq: lintSeq("didn't|not|never|wasn't|weren't", "pay|paying|paid", "attention"), tier: tierHuman, kind: "negated"},
	{name: "failed to", seq: lintSeq("failed|fails", "to"), tier: tierJudging, kind: "to"},
	{name: "failed to", seq: lintSeq("didn't|not", "manage", "to"), tier: tierJudging, kind: "to"},
	{name: "didn't check", seq: lintSeq(lintDidNot, lintPersonVerb), tier: tierJudging, kind: "negated"},
	{name: "didn't check", seq: lintSeq("did|could", "not|never", lintPersonVerb), tier: tierJudging, kind: "negated"},
	{name: "missed", seq: lintSeq("missed|skipped|ignored|ignores|dismissed|disregarded"), tier: tierJudging, kind: "object"},
	{name: "misjudged", seq: lintSeq("misconfigured|mistyped|misspelled|misused|mishandled|mislabeled|mislabelled|misnamed|botched"), tier: tierJudging, kind: "object"},
	// "The engineer never acknowledged the page", "Kim didn't restart the job": a negated action.
	{name: "didn't check", seq: lintSeq("never|didn't|hadn't", "*"), tier: tierJudging, kind: "negated", anyVerb: true},
	{name: "didn't check", seq: lintSeq("did|had", "not|never", "*"), tier: tierJudging, kind: "negated", anyVerb: true},
	{name: "should have known", seq: lintSeq("should|must|ought", "not", "have", "*"), tier: tierJudging, kind: "counterfactual", anyVerb: true},
	{name: "should have known", seq: lintSeq("shouldn't|mustn't", "have", "*"), tier: tierJudging, kind: "counterfactual", anyVerb: true},
	{name: "deployed faulty", seq: lintSeq("*", "the|a|an|this|that|some|his|her|their|its", lintFaulty), tier: tierJudging, kind: "faulty", anyVerb: true},
	{name: "deployed faulty", seq: lintSeq("*", lintFaulty), tier: tierJudging, kind: "faulty", anyVerb: true},
	{name: "mistakenly", seq: lintSeq("mistakenly|wrongly|incorrectly|wrongfully|blindly|hastily|carelessly"), tier: tierJudging, kind: "object"},
	{name: "accidentally", seq: lintSeq("accidentally|unintentionally|inadvertently|unknowingly"), tier: tierJudging, kind: "object"},
	{name: "rushed", seq: lintSeq("rushed|rushing|rush"), tier: tierJudging, clause: true, kind: "object"},
	{name: "broke", seq: lintSeq("broke|breaks"), tier: tierJudging, kind: "object"},
	{name: "without checking", seq: lintSeq("without", "checking|testing|reading|asking|verifying|reviewing|looking|thinking|telling|coordinating|waiting|confirming|understanding|consulting"), tier: tierJudging, clause: true, kind: "object"},
	{name: "deployed faulty", seq: lintSeq("deployed|merged|pushed|added|committed|introduced|wrote|shipped|ran|applied|typed|entered|submitted|approved|used|chose|picked|made|put|configured|set", "the|a|an|this|that|some|his|her|their|its|in|*", "faulty|wrong|broken|bad|incorrect|buggy|untested|bogus|invalid|erroneous"), tier: tierJudging, kind: "faulty"},
	{name: "deployed faulty", seq: lintSeq("deployed|merged|pushed|added|committed|introduced|wrote|shipped|ran|applied|typed|entered|submitted|approved|used|chose|picked|made|put|configured|set", "faulty|wrong|broken|bad|incorrect|buggy|untested|bogus|invalid|erroneous"), tier: tierJudging, kind: "faulty"},
	// Counterfactuals with a verb only people do blame a likely name too: "Mark should have double-checked".
	{name: "should have known", seq: lintSeq("should|ought|must", "have|'ve|to", lintHumanParticiples), tier: tierHuman, kind: "counterfactual"},
	{name: "should have known", seq: lintSeq("should've", lintHumanParticiples), tier: tierHuman, kind: "counterfactual"},
	{name: "should have known", seq: lintSeq("should|ought|could|must", "have|'ve|to", "known|realised|realized|understood|thought|noticed|seen|spotted|caught|checked|double-checked|tested|verified|looked|read|asked|paid|been|done|waited|used|run|followed|escalated|reviewed|tried|easily|just|simply|avoided|prevented|stopped|fixed|asked"), tier: tierJudging, kind: "counterfactual"},
	{name: "should have known", seq: lintSeq("should've|could've|ought", "known|realised|realized|understood|thought|noticed|seen|spotted|caught|checked|double-checked|tested|verified|looked|read|asked|paid|been|done|waited|used|run|followed|escalated|reviewed|tried|easily|just|simply|avoided|prevented|stopped|fixed"), tier: tierJudging, kind: "counterfactual"},
	{name: "should have known", seq: lintSeq("could|should|would", "easily|just|simply", "have"), tier: tierJudging, kind: "counterfactual"},
	{name: "simply", seq: lintSeq("simply|obviously|clearly|merely|just", lintHindsightNext), tier: tierJudging, kind: "hindsight"},
	{name: "simply", seq: lintSeq("obviously|clearly", "did|was|were|had|could|should", "not|n't|never"), tier: tierJudging, kind: "hindsight"},
	{name: "simply", seq: lintSeq("obviously", "should|could|ought|must"), tier: tierJudging, kind: "hindsight"},
	{name: "simply", seq: lintSeq("could|should|would|had|only", "just|easily"), tier: tierJudging, kind: "hindsight"},
}

// lintPhraseRule is wording about a person whoever the subject is, found by a pattern over the sentence.
type lintPhraseRule struct {
	name       string
	pattern    *regexp.Regexp
	suggestion string
	exempt     func(s string, loc []int) bool
	person     bool // the words after the phrase must name a person ("the fault of the contractor")
	anyPerson  bool // the sentence must name a person: "lazy" is a person's, "lazy loading" a library's
	// keys are lower-case words one of which a sentence must hold for the pattern to be tried.
	keys []string
}

func (r lintPhraseRule) mayMatch(lower string) bool {
	for _, k := range r.keys {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return len(r.keys) == 0
}

// lintRoleNouns name a person by their role.
var lintRoleNouns = map[string]bool{
	"engineer": true, "engineers": true, "developer": true, "developers": true, "dev": true, "devs": true,
	"operator": true, "operators": true, "on-call": true, "oncall": true, "on-caller": true, "responder": true,
	"responders": true, "reviewer": true, "reviewers": true, "author": true, "admin": true, "administrator": true,
	"sysadmin": true, "dba": true, "sre": true, "sres": true, "intern": true, "contractor": true, "team": true,
	"person": true, "staff": true, "employee": true, "hire": true, "manager": true, "commander": true,
	"teammate": true, "colleague": true, "human": true, "maintainer": true, "maintainers": true,
	"committer": true, "approver": true, "assignee": true, "programmer": true, "tester": true, "member": true,
	"individual": true, "newcomer": true, "owner": true, "lead": true,
}

// lintAffected name the people an incident happens to: "users failed to log in" is about the system.
var lintAffected = map[string]bool{"user": true, "users": true, "customer": true, "customers": true, "client": true, "clients": true}

// lintPastJudgements are the wordings that blame "you": a reproach of something done ("you broke it"),
// not an instruction ("if you forget to …", "you could simply …").
var lintPastJudgements = map[string]bool{"forgot": true, "neglected": true, "omitted": true, "broke": true, "missed": true,
	"skipped": true, "ignored": true, "didn't": true, "never": true, "rushed": true, "failed": true, "assumed": true,
	"misjudged": true, "misunderstood": true, "overlooked": true, "by": true, "without": true, "deployed": true, "merged": true,
	"pushed": true, "added": true, "committed": true, "introduced": true, "wrote": true, "shipped": true, "ran": true}

var lintPersonPronouns = map[string]lintActorKind{
	"i": actorPerson, "he": actorPerson, "she": actorPerson, "someone": actorPerson,
	"somebody": actorPerson, "anyone": actorPerson, "anybody": actorPerson, "everyone": actorPerson,
	"everybody": actorPerson, "whoever": actorPerson, "nobody": actorPerson, "me": actorPerson, "him": actorPerson,
	"her": actorPerson, "we": actorWe, "us": actorWe, "they": actorThey, "them": actorThey, "you": actorYou,
	"your": actorPossessor, "his": actorPossessor, "my": actorPossessor,
}

// lintSkipWords stand between a subject and its verb: auxiliaries and adverbs.
var lintSkipWords = map[string]bool{
	"had": true, "has": true, "have": true, "'ve": true, "was": true, "were": true, "is": true, "are": true,
	"did": true, "does": true, "do": true, "could": true, "would": true, "should": true, "might": true, "may": true,
	"must": true, "will": true, "been": true, "be": true, "being": true, "also": true, "then": true, "probably": true,
	"possibly": true, "apparently": true, "just": true, "simply": true, "clearly": true, "obviously": true,
	"again": true, "still": true, "really": true, "completely": true, "totally": true, "never": true, "not": true,
	"unfortunately": true, "mistakenly": true, "accidentally": true, "unintentionally": true, "later": true,
	"subsequently": true, "initially": true, "already": true, "even": true, "only": true, "actually": true,
	"somehow": true, "seemingly": true, "immediately": true, "quickly": true, "once": true, "first": true,
	"finally": true, "evidently": true, "wrongly": true, "incorrectly": true, "blindly": true, "hastily": true,
	"carelessly": true, "who": true, "likely": true, "perhaps": true, "maybe": true, "merely": true,
	"didn't": true, "wasn't": true, "hadn't": true, "couldn't": true, "shouldn't": true, "wouldn't": true,
	"'d": true, "both": true, "all": true, "themselves": true, "himself": true, "herself": true, "myself": true,
}

// lintClauseWords start a new clause: the actor of what follows is not before them.
var lintClauseWords = map[string]bool{
	"because": true, "but": true, "so": true, "while": true, "when": true, "which": true, "although": true,
	"though": true, "since": true, "after": true, "before": true, "until": true, "if": true, "whereas": true,
	"where": true, "that": true, "as": true, "unless": true, "once": true,
}

// lintPrepositions join a phrase to the person it describes: "the engineer on call".
var lintPrepositions = map[string]bool{"on": true, "in": true, "of": true, "from": true, "at": true, "for": true, "with": true}

// lintNotNames are capitalised words that are no one's first name.
var lintNotNames = map[string]bool{
	"the": true, "this": true, "that": true, "it": true, "these": true, "those": true, "there": true, "then": true,
	"when": true, "after": true, "before": true, "while": true, "if": true, "in": true, "on": true, "at": true,
	"as": true, "so": true, "but": true, "and": true, "or": true, "our": true, "its": true, "a": true, "an": true,
	"no": true, "also": true, "however": true, "because": true, "since": true, "once": true, "here": true,
	"what": true, "why": true, "how": true, "who": true, "which": true, "some": true, "all": true, "each": true,
	"every": true, "any": true, "both": true, "nothing": true, "everything": true, "something": true, "one": true,
	"later": true, "finally": true, "unfortunately": true, "apparently": true, "initially": true, "still": true,
	"monitoring": true, "automation": true, "alerting": true, "ci": true, "nobody": true, "everyone": true,
}

// lintActor is who or what a wording is about.
type lintActor struct {
	kind lintActorKind
	name string
}

// lintSentenceActors knows the names in one sentence.
type lintSentenceActors struct {
	s     *lintSentence
	names map[int]string // token index → the configured name it is part of
}

func newLintSentenceActors(s *lintSentence, people *lintPeople) *lintSentenceActors {
	a := &lintSentenceActors{s: s, names: map[int]string{}}
	lower := strings.ToLower(s.text)
	for k, re := range people.names {
		if !strings.Contains(lower, people.keys[k]) {
			continue
		}
		for _, loc := range lintFindWords(re, s.text) {
			for i, t := range s.toks {
				if t.start < loc[1] && t.end > loc[0] {
					a.names[i] = s.text[loc[0]:loc[1]]
				}
			}
		}
	}
	return a
}

// classify says what token i names, as a subject.
func (a *lintSentenceActors) classify(i int, subject bool) lintActor {
	t := a.s.toks[i]
	if t.punct {
		return lintActor{}
	}
	if name, ok := a.names[i]; ok {
		if strings.HasSuffix(t.lower, "'s") || strings.HasSuffix(t.lower, "'") {
			return lintActor{actorPossessor, name}
		}
		return lintActor{actorPerson, name}
	}
	if strings.HasPrefix(t.text, "@") {
		if strings.HasSuffix(t.lower, "'s") {
			return lintActor{actorPossessor, strings.TrimSuffix(t.text, "'s")}
		}
		return lintActor{actorPerson, t.text}
	}
	if k, ok := lintPersonPronouns[t.lower]; ok {
		return lintActor{k, t.text}
	}
	if lintRoleNouns[t.lower] {
		return lintActor{actorPerson, a.phrase(i)}
	}
	if lintAffected[t.lower] {
		return lintActor{actorAffected, a.phrase(i)}
	}
	if strings.HasSuffix(t.lower, "'s") && lintRoleNouns[strings.TrimSuffix(t.lower, "'s")] {
		return lintActor{actorPossessor, a.phrase(i)}
	}
	if subject && lintLooksLikeName(t.text) {
		return lintActor{actorGuess, t.text}
	}
	return lintActor{actorSystem, t.text}
}

// phrase returns the role noun at token i with its determiner and modifiers: "the on-call engineer".
func (a *lintSentenceActors) phrase(i int) string {
	j := i
	for j > 0 && i-j < 3 && !a.s.toks[j-1].punct {
		w := a.s.toks[j-1].lower
		if lintSkipWords[w] || lintClauseWords[w] || w == "and" {
			break
		}
		j--
		if w == "the" || w == "a" || w == "an" || w == "our" || w == "their" || w == "this" || w == "that" {
			break
		}
	}
	return a.s.text[a.s.toks[j].start:a.s.toks[i].end]
}

func lintLooksLikeName(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || len(w) < 3 || lintNotNames[strings.ToLower(w)] || strings.HasSuffix(w, "ing") {
		return false // "Leaving the machine …" starts with a verb, not a name
	}
	for _, c := range w[n:] {
		if !unicode.IsLower(c) {
			return false
		}
	}
	return true
}

// subject returns the actor of the verb at token i: the word before it, past auxiliaries and adverbs; the
// antecedent of "who"; the subject before "and" of a verb that shares it.
func (a *lintSentenceActors) subject(i int) lintActor {
	toks := a.s.toks
	j := i - 1
	for j >= 0 && !toks[j].punct && lintSkipWords[toks[j].lower] && toks[j].lower != "who" {
		j--
	}
	if j > 0 && toks[j].text == "," {
		// "The developer, who was new to the team, forgot …": the subject is before the aside.
		k := j - 1
		for k >= 0 && toks[k].text != "," && !toks[k].punct {
			k--
		}
		if k > 0 && toks[k].text == "," && k+1 < j && (toks[k+1].lower == "who" || toks[k+1].lower == "a" || toks[k+1].lower == "an") {
			return a.subject(k)
		}
	}
	if j < 0 || toks[j].punct {
		return lintActor{}
	}
	w := toks[j].lower
	switch {
	case w == "who" || w == "that" && j > 0 && a.classify(j-1, true).kind >= actorGuess:
		if j > 0 {
			return a.classify(j-1, true)
		}
		return lintActor{}
	case w == "and" || w == "or" || w == "then":
		return a.nearest(j)
	}
	act := a.classify(j, true)
	if act.kind == actorSystem && j >= 2 && lintPrepositions[toks[j-1].lower] {
		// "the engineer on call", "the person in charge": the person before the phrase.
		if b := a.classify(j-2, false); b.kind == actorPerson {
			return b
		}
	}
	if act.kind == actorSystem {
		// "Whoever approved this pull request clearly didn't read it."
		for k := j - 1; k >= 0 && !toks[k].punct && !lintClauseWords[toks[k].lower]; k-- {
			if toks[k].lower == "whoever" {
				return lintActor{actorPerson, toks[k].text}
			}
			if toks[k].lower == "who" && k > 0 {
				if b := a.classify(k-1, true); b.kind >= actorGuess {
					return b
				}
			}
		}
	}
	return act
}

// nearest returns the first person named before token i in its clause, else the clause's first word.
func (a *lintSentenceActors) nearest(i int) lintActor {
	toks := a.s.toks
	var first lintActor
	for k := i - 1; k >= 0 && !toks[k].punct && !lintClauseWords[toks[k].lower]; k-- {
		act := a.classify(k, k == 0 || toks[k-1].punct || lintClauseWords[toks[k-1].lower] || toks[k-1].lower == "the")
		if act.kind >= actorWe && act.kind != actorPossessor {
			return act
		}
		if act.kind != actorNone {
			first = act
		}
	}
	if first.kind == actorNone {
		return lintActor{}
	}
	return lintActor{actorSystem, first.name}
}

// possessor returns a person that owns a word of the clause around token i ("your motivations to rush").
func (a *lintSentenceActors) possessor(i int) lintActor {
	toks := a.s.toks
	for k := i - 1; k >= 0 && !toks[k].punct && !lintClauseWords[toks[k].lower]; k-- {
		if act := a.classify(k, false); act.kind == actorPossessor {
			return lintActor{actorPerson, act.name}
		}
	}
	return lintActor{}
}

// lintMatch is wording found in a sentence.
type lintMatch struct {
	rule       string
	from, to   int // token indexes [from, to)
	start, end int // byte offsets in the sentence
	actor      lintActor
	suggestion string
}

// matchSeq says whether seq matches the tokens from i on, and where the match ends.
func lintMatchSeq(toks []lintToken, i int, seq [][]string) (int, bool) {
	for _, alts := range seq {
		if i >= len(toks) || toks[i].punct {
			return 0, false
		}
		ok := false
		for _, w := range alts {
			if w == "*" || toks[i].lower == w {
				ok = true
				break
			}
		}
		if !ok {
			return 0, false
		}
		i++
	}
	return i, true
}

// lintFailings are nouns that name a person's failing when a person owns them: "Jordan's mistake".
var lintFailings = map[string]bool{"mistake": true, "mistakes": true, "oversight": true, "slip": true, "error": true,
	"errors": true, "negligence": true, "carelessness": true, "blunder": true, "screw-up": true, "screwup": true}

// ownedFailing reports a failing a person owns: "Jordan's mistake", "the intern's oversight", "their error".
func (a *lintSentenceActors) ownedFailing() *lintMatch {
	toks := a.s.toks
	for i := 1; i < len(toks); i++ {
		if !lintFailings[toks[i].lower] {
			continue
		}
		act := a.classify(i-1, false)
		prev := toks[i-1].text
		if act.kind != actorPossessor && (strings.HasSuffix(prev, "'s") && lintLooksLikeName(strings.TrimSuffix(prev, "'s")) || toks[i-1].lower == "their") {
			act = lintActor{actorPossessor, strings.TrimSuffix(prev, "'s")}
		}
		if (toks[i].lower == "error" || toks[i].lower == "errors") && !strings.HasSuffix(prev, "'s") {
			continue // "your errors" are a program's, "Jordan's error" a person's
		}
		if act.kind != actorPossessor || toks[i-1].lower == "my" ||
			lintNegated(strings.ToLower(strings.TrimSpace(a.s.text[:toks[i-1].start]))) {
			continue // "it wasn't their mistake" absolves
		}
		act.kind = actorPerson
		return &lintMatch{rule: "mistake by", from: i - 1, to: i + 1, start: toks[i-1].start, end: toks[i].end, actor: act,
			suggestion: `name the step and what made it easy to get wrong, with the system as the subject: "the migration script does not check that the previous step ran"`}
	}
	return nil
}

// blameVerbs finds the judging wording of a sentence whose actor is a person.
func (a *lintSentenceActors) blameVerbs() []lintMatch {
	toks := a.s.toks
	var out []lintMatch
	covered := -1
	for i := range toks {
		if i < covered {
			continue
		}
		for _, r := range lintVerbRules {
			end, ok := lintMatchSeq(toks, i, r.seq)
			if !ok {
				continue
			}
			if r.anyVerb && !lintActionVerb(r, toks, i, end) {
				continue
			}
			act := a.actorOf(r, i)
			if act.kind == actorYou && lintPastJudgements[toks[i].lower] {
				act.kind = actorPerson
			}
			if r.kind == "object" && r.seq[0][0] == "mistakenly" || r.seq[0][0] == "accidentally" {
				// An adverb before a verb judges a past action only: "the programmer wrongly assumes" explains.
				if end >= len(toks) || !lintPast(toks[end].lower) && (end+1 >= len(toks) || !lintPast(toks[end+1].lower)) {
					continue
				}
			}
			if !r.tier.blames(act.kind) {
				continue
			}
			if lintNeutralUse(r, toks, end) {
				continue
			}
			if r.kind == "to" && end < len(toks) && toks[end].lower == "to" && toks[end-1].lower != "to" {
				end++ // "forgot to"
			}
			m := lintMatch{rule: r.name, from: i, to: end, start: toks[i].start, end: toks[end-1].end, actor: act}
			m.suggestion = a.rewrite(r.kind, end)
			if r.kind == "hindsight" {
				// The hindsight word alone: what follows it may be wording of its own ("clearly didn't read").
				m.to, m.end, end = i+1, toks[i].end, i+1
			}
			out = append(out, m)
			covered = end
			break
		}
	}
	return out
}

func (a *lintSentenceActors) actorOf(r lintVerbRule, i int) lintActor {
	toks := a.s.toks
	if r.kind == "hindsight" && (i == 0 || toks[i-1].punct) && (i+1 < len(toks)) {
		// "Obviously, anyone could see …": the actor follows.
		k := i + 1
		for k < len(toks) && toks[k].punct {
			k++
		}
		if k < len(toks) {
			if act := a.classify(k, true); act.kind == actorPerson && k+1 < len(toks) &&
				strings.Contains("|could|should|would|had|did|just|only|", "|"+toks[k+1].lower+"|") {
				return act
			}
		}
		return lintActor{}
	}
	if r.kind == "counterfactual" || r.kind == "hindsight" {
		return a.subject(i)
	}
	if r.clause {
		if act := a.nearest(i); act.kind != actorSystem && act.kind != actorNone {
			return act
		}
		if r.name == "rushed" {
			return a.possessor(i)
		}
		return lintActor{}
	}
	act := a.subject(i)
	if act.kind == actorNone && r.tier == tierOmission && i+1 < len(toks) && toks[i+1].lower == "to" {
		return lintActor{actorPerson, "the writer"} // "…, forgot to publish": the writer, unnamed
	}
	if toks[i].lower == "nobody" {
		return lintActor{actorPerson, "nobody"} // "nobody bothered to …"
	}
	return act
}

// lintStateVerbs say what a person had or got, not what they did: "didn't have access" is a condition.
var lintStateVerbs = map[string]bool{"have": true, "has": true, "had": true, "need": true, "needed": true, "want": true,
	"get": true, "got": true, "receive": true, "received": true, "exist": true, "be": true, "been": true, "seem": true,
	"appear": true, "work": true, "include": true, "mean": true, "require": true, "hear": true, "heard": true, "expect": true,
	"expected": true, "intend": true, "intended": true, "own": true, "owned": true, "see": true, "saw": true, "seen": true,
	"feel": true, "felt": true, "lose": true, "find": true, "found": true, "manage": true, "managed": true, "recall": true,
	"occur": true, "happen": true, "matter": true, "apply": true, "notice": true, "noticed": true, "know": true, "knew": true,
	"known": true, "think": true, "thought": true, "bother": true, "bothered": true, "even": true, "pay": true, "paid": true,
	"realise": true, "realize": true, "realised": true, "realized": true, "understand": true, "understood": true, "care": true}

// lintActionVerb says whether the "*" of an anyVerb rule matched a verb of an action.
func lintActionVerb(r lintVerbRule, toks []lintToken, i, end int) bool {
	if r.kind == "counterfactual" {
		return lintPast(toks[end-1].lower) // "shouldn't have merged"; "shouldn't have access" is a condition
	}
	if r.kind == "faulty" {
		return lintPast(toks[i].lower) && !lintStateVerbs[toks[i].lower] && toks[i].lower != "was" && toks[i].lower != "were"
	}
	w := toks[end-1].lower
	if lintStateVerbs[w] || lintSkipWords[w] || lintDangling[w] || strings.HasSuffix(w, "ly") || strings.HasSuffix(w, "ing") {
		return false // "never had access", "didn't really …", "never once"
	}
	if first := toks[i].lower; first == "never" || first == "had" || first == "hadn't" {
		return lintPast(w) // "never acknowledged", "hadn't checked": a past action
	}
	return !lintPast(w) || w == "read" || w == "set" || w == "put" || w == "run" // "didn't restart": a base form
}

// lintAttempts are what "failed to" says of an attempt that did not succeed, not of a duty left undone.
var lintAttempts = map[string]bool{"reproduce": true, "find": true, "identify": true, "locate": true, "determine": true,
	"connect": true, "access": true, "log": true, "reach": true, "obtain": true, "load": true, "open": true, "start": true,
	"diagnose": true, "pinpoint": true, "fix": true, "resolve": true, "restore": true, "recover": true, "get": true}

// lintNeutralUse says whether a matched wording, with the words after it (from token end), says nothing
// against a person: "failed to reproduce", "should have been paged", "rushed to restore", "broke it into".
func lintNeutralUse(r lintVerbRule, toks []lintToken, end int) bool {
	next := func(k int) string {
		if end+k < len(toks) && !toks[end+k].punct {
			return toks[end+k].lower
		}
		return ""
	}
	last := toks[end-1].lower
	switch {
	case r.name == "failed to":
		return lintAttempts[next(0)] || next(0) == "to" && lintAttempts[next(1)]
	case r.kind == "counterfactual" && last == "been":
		return lintPast(next(0)) || next(0) == "told" || next(0) == "given"
	case r.name == "rushed":
		return next(0) == "to" || next(0) == "in" || next(0) == "over" || next(0) == "back"
	case r.name == "broke":
		for k := 0; k < 4; k++ {
			switch next(k) {
			case "into", "up", "down", "out", "apart", "ground", "even", "the news":
				return true
			}
		}
	}
	return false
}

// lintPast says whether a word is a past tense.
func lintPast(w string) bool {
	if strings.HasSuffix(w, "ed") {
		return true
	}
	switch w {
	case "ran", "broke", "forgot", "wrote", "made", "put", "set", "took", "sent", "left", "hit", "let", "cut", "read",
		"did", "chose", "gave", "went", "shut", "pushed", "kept", "told", "thought", "knew", "saw", "misread":
		return true
	}
	return false
}

// lintBaseForm turns a past tense or participle into the base form, for a rewording.
func lintBaseForm(w string) string {
	irregular := map[string]string{"known": "know", "knew": "know", "thought": "think", "seen": "see", "saw": "see",
		"caught": "catch", "read": "read", "run": "run", "ran": "run", "done": "do", "did": "do", "understood": "understand",
		"paid": "pay", "been": "be", "wrote": "write", "written": "write", "made": "make", "put": "put", "set": "set",
		"chose": "choose", "took": "take", "taken": "take", "forgot": "forget", "broke": "break", "misread": "misread"}
	if b, ok := irregular[w]; ok {
		return b
	}
	switch {
	case strings.HasSuffix(w, "ied"):
		return strings.TrimSuffix(w, "ied") + "y"
	case strings.HasSuffix(w, "ed"):
		base := strings.TrimSuffix(w, "ed")
		if n := len(base); n > 2 && base[n-1] == base[n-2] && !strings.HasSuffix(base, "ss") && !strings.HasSuffix(base, "ll") {
			return base[:n-1]
		}
		if strings.HasSuffix(base, "at") || strings.HasSuffix(base, "us") || strings.HasSuffix(base, "iz") ||
			strings.HasSuffix(base, "is") || strings.HasSuffix(base, "ak") || strings.HasSuffix(base, "ot") && !strings.HasSuffix(base, "oot") {
			return base + "e"
		}
		return base
	}
	return w
}

// lintShippingVerbs send a change out: a faulty one "went out without a check".
var lintShippingVerbs = map[string]bool{"deployed": true, "merged": true, "pushed": true, "committed": true, "shipped": true,
	"applied": true, "ran": true, "introduced": true, "added": true, "submitted": true, "approved": true}

// lintDangling are words a cut-off phrase must not end on.
var lintDangling = map[string]bool{"the": true, "a": true, "an": true, "in": true, "on": true, "of": true, "to": true,
	"for": true, "with": true, "and": true, "or": true, "at": true, "by": true, "from": true, "that": true, "this": true}

// rest returns up to eight words of the clause from token i on; cut short, it does not end on a word
// such as "the" or "in".
func (a *lintSentenceActors) rest(i int) string {
	toks := a.s.toks
	j := i
	for j < len(toks) && j-i < 8 && !toks[j].punct && (j == i || !lintClauseWords[toks[j].lower] || toks[j].lower == "that") {
		j++
	}
	cut := j < len(toks) && j-i == 8 && !toks[j].punct
	for cut && j > i && lintDangling[toks[j-1].lower] {
		j-- // a phrase cut off mid-clause does not end on "the" or "in"
	}
	if j == i {
		return ""
	}
	return strings.Join(strings.Fields(a.s.text[toks[i].start:toks[j-1].end]), " ")
}

// rewrite proposes the sentence with the system as its subject, built from the words after the wording.
func (a *lintSentenceActors) rewrite(kind string, end int) string {
	rest := a.rest(end)
	toks := a.s.toks
	switch kind {
	case "to":
		if end < len(toks) && toks[end].lower == "to" {
			rest = a.rest(end + 1)
		}
		if rest != "" {
			if end < len(toks) && (toks[end].lower == "to" || toks[end-1].lower == "to") {
				return fmt.Sprintf(`put the system in the subject and say what let the step be missed: "no check or reminder in the process made sure to %s"`, rest)
			}
			return fmt.Sprintf(`put the system in the subject and say what let the step be missed: "%s was not a required step of the process"`, rest)
		}
	case "negated":
		if rest != "" {
			verb := toks[end-1].lower
			if verb == "attention" {
				return `say what made the signal easy to miss: "the warning was one of dozens on the dashboard"`
			}
			return fmt.Sprintf(`put the system in the subject: "nothing in the process required anyone to %s %s"`, lintBaseForm(verb), rest)
		}
	case "faulty":
		shipped := lintShippingVerbs[toks[end-2].lower] || end >= 3 && lintShippingVerbs[toks[end-3].lower]
		if !shipped {
			// "made an incorrect assumption", "chose the wrong region": a judgement, not a change that shipped.
			return `say what made it look right at the time, with the system in the subject: "the runbook's example used the old hash", "the form accepts any region"`
		}
		if rest != "" {
			return fmt.Sprintf(`put the change in the subject and say which check let it through: "the %s %s went out without a check that would have caught it"`, toks[end-1].lower, rest)
		}
	case "counterfactual":
		verb := lintBaseForm(toks[end-1].lower)
		switch verb {
		case "know", "realise", "realize", "understand", "think", "notice", "see", "spot":
			if rest != "" {
				return fmt.Sprintf(`say what was visible at the time, with the system in the subject: "nothing at the time showed %s"`, rest)
			}
		default:
			if rest != "" && verb != "be" && verb != "easily" && verb != "just" && verb != "simply" {
				return fmt.Sprintf(`put the system in the subject: "no step or check in the process required anyone to %s %s"`, verb, rest)
			}
		}
		return `say what information or check was missing at the time, with the system in the subject: "the review checklist has no item for indexes"`
	case "hindsight":
		return `drop the hindsight word and say what was visible at the time: "the dashboard showed disk usage at 91%"`
	case "question":
		return `ask about the system, not the person: "what made this step look safe at the time?", "what check would have stopped it?"`
	}
	if rest != "" {
		first, more, _ := strings.Cut(rest, " ")
		if lintPast(strings.ToLower(first)) {
			return fmt.Sprintf(`put the system in the subject: "the tooling let anyone %s without a confirmation step"`,
				strings.TrimSpace(lintBaseForm(strings.ToLower(first))+" "+more))
		}
		return fmt.Sprintf(`put the system in the subject: "%s was not covered by any check or reminder"`, rest)
	}
	return lintGenericRewording
}

var (
	lintWhyStart     = lintSeq("why")
	lintQuestionAux  = map[string]bool{"did": true, "didn't": true, "was": true, "wasn't": true, "were": true, "weren't": true, "would": true, "wouldn't": true, "had": true, "hadn't": true}
	lintCulpritVerbs = map[string]bool{"approved": true, "merged": true, "pushed": true, "deployed": true, "broke": true, "forgot": true, "wrote": true, "did": true, "signed": true, "caused": true, "missed": true, "ran": true, "changed": true, "touched": true, "shipped": true}
	lintCharacter    = map[string]bool{"thinking": true, "competent": true, "qualified": true, "capable": true, "trust": true, "trusted": true, "trained": true, "fit": true}
	lintSpeculation  = regexp.MustCompile(`(?i)\b(?:seems like|looks like|probably|maybe|perhaps|i guess|i think|i suspect|apparently|must have been|presumably)\s+(?:that\s+)?(?:someone|somebody)\b`)
)

// blameQuestion reports a question that asks about a person's action or character.
func (a *lintSentenceActors) blameQuestion() *lintMatch {
	s, toks := a.s, a.s.toks
	if !s.question || len(toks) < 3 {
		return nil
	}
	first := 0
	for first < len(toks) && (toks[first].punct || toks[first].lower == "so" || toks[first].lower == "and" || toks[first].lower == "but") {
		first++
	}
	if first >= len(toks)-1 {
		return nil
	}
	if toks[first].lower == "how" && toks[first+1].lower == "come" {
		first++ // "how come the engineer …?" asks why
	}
	if _, ok := lintMatchSeq(toks, first, lintWhyStart); ok && lintQuestionAux[toks[first+1].lower] || toks[first].lower == "come" {
		for k := first + 2; k < len(toks) && k <= first+5 && !toks[k].punct; k++ {
			if act := a.classify(k, true); (act.kind == actorPerson || act.kind == actorYou) && toks[k].lower != "i" {
				return &lintMatch{rule: "blame question", from: first, to: k + 1, start: toks[first].start, end: toks[k].end, actor: act,
					suggestion: a.rewrite("question", k+1)}
			}
			if lintSkipWords[toks[k].lower] || toks[k].lower == "the" || toks[k].lower == "a" || toks[k].lower == "an" || toks[k].lower == "our" || toks[k].lower == "that" || toks[k].lower == "this" {
				continue
			}
		}
	}
	if toks[first].lower == "who" && lintCulpritVerbs[toks[first+1].lower] {
		return &lintMatch{rule: "blame question", from: first, to: first + 2, start: toks[first].start, end: toks[first+1].end,
			actor: lintActor{actorPerson, "who"}, suggestion: a.rewrite("question", first+2)}
	}
	for k, t := range toks {
		if !lintCharacter[t.lower] {
			continue
		}
		for j := range toks {
			if act := a.classify(j, false); act.kind == actorPerson || act.kind == actorPossessor {
				return &lintMatch{rule: "blame question", from: k, to: k + 1, start: t.start, end: t.end, actor: act,
					suggestion: a.rewrite("question", k+1)}
			}
		}
	}
	return nil
}

// counterfactual reports "if <person> had (not) …" and "Had <person> …, …".
func (a *lintSentenceActors) counterfactual() *lintMatch {
	toks := a.s.toks
	if len(toks) > 3 && toks[0].lower == "had" {
		k := 1
		for k < len(toks) && (toks[k].lower == "the" || toks[k].lower == "our" || toks[k].lower == "a" || toks[k].lower == "an") {
			k++
		}
		if k+1 < len(toks) {
			if act := a.classify(k, true); (act.kind == actorPerson || act.kind == actorGuess) && lintPast(toks[k+1].lower) {
				return &lintMatch{rule: "should have known", from: 0, to: k + 2, start: toks[0].start, end: toks[k+1].end, actor: act,
					suggestion: a.rewrite("counterfactual", k+2)}
			}
		}
	}
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].lower != "if" {
			continue
		}
		k := i + 1
		for k < len(toks) && (toks[k].lower == "the" || toks[k].lower == "our" || toks[k].lower == "a" || toks[k].lower == "only") {
			k++
		}
		j := k
		for j < len(toks) && j < k+3 && toks[j].lower != "had" && toks[j].lower != "hadn't" && !toks[j].punct {
			j++
		}
		if j >= len(toks) || toks[j].lower != "had" && toks[j].lower != "hadn't" || j+1 >= len(toks) {
			continue
		}
		act := a.classify(j-1, true)
		if act.kind != actorPerson && act.kind != actorGuess {
			continue
		}
		next := toks[j+1].lower
		if next == "been" || next == "a" || next == "an" || next == "the" || next == "no" || next == "2fa" || next == "access" {
			continue // "if Bob had access …": a condition, not a judgement
		}
		return &lintMatch{rule: "should have known", from: i, to: j + 2, start: toks[i].start, end: toks[j+1].end, actor: act,
			suggestion: a.rewrite("counterfactual", j+2)}
	}
	return nil
}

// lintNegated says whether the text before a wording ends by denying it: "it isn't", "not", "never".
func lintNegated(before string) bool {
	for _, w := range []string{" not", "n't", " never", " no"} {
		if strings.HasSuffix(" "+before, w) {
			return true
		}
	}
	return false
}

// lintPhraseRules are wording about a person whoever the subject is.
func lintPhraseRules() []lintPhraseRule {
	const (
		conditions = `describe the conditions that made the mistake possible, with the system as the subject: "the command ran against production without a confirmation step"`
		fault      = `say which safeguard was missing instead of whose fault it was: "the pipeline let the change skip the canary"`
		character  = `describe the action and what allowed it, not the person's character: "the rollback command has no dry-run mode and targets every region"`
		idiom      = `say what happened and what allowed it, with the system as the subject: "the capacity review was skipped because it had no owner"`
		blame      = `describe causes, not culprits: "the release process did not require a canary"`
		mistake    = `name the step and what made it easy to get wrong: "the migration script does not check that the previous step ran"`
	)
	notNobody := func(s string, loc []int) bool {
		p := strings.ToLower(s[loc[0]:loc[1]])
		before := strings.ToLower(strings.TrimSpace(s[:loc[0]]))
		if lintNegated(before) && !strings.HasPrefix(p, "my ") {
			return true // "it's not their fault" absolves; "not my fault" points elsewhere
		}
		return strings.HasPrefix(p, "nobody") || strings.HasPrefix(p, "anybody") || strings.HasPrefix(p, "anyone") ||
			strings.HasPrefix(p, "noone") || strings.HasPrefix(p, "one") && strings.HasSuffix(before, "no") ||
			strings.HasPrefix(p, "no-one")
	}
	notBlameless := func(s string, loc []int) bool {
		after := strings.ToLower(s[loc[1]:])
		before := strings.ToLower(strings.TrimSpace(s[:loc[0]]))
		return strings.HasPrefix(after, "-free") || strings.HasPrefix(after, "-less") || strings.HasPrefix(after, " free") ||
			strings.HasSuffix(before, " no") || before == "no" || strings.HasSuffix(before, "no-") || strings.HasSuffix(before, "non-") || strings.HasSuffix(before, "without") ||
			strings.HasSuffix(before, "not") || strings.HasSuffix(before, "n't")
	}
	notLazyLoading := func(s string, loc []int) bool {
		after := strings.ToLower(strings.TrimLeft(s[loc[1]:], " -"))
		for _, w := range []string{"load", "init", "eval", "fetch", "alloc", "compil", "import", "instantiat", "creat", "mount", "sync", "mode", "loading", "evaluation", "loaded", "initiali"} {
			if strings.HasPrefix(after, w) {
				return true
			}
		}
		return false
	}
	p := func(name, expr, suggestion string) lintPhraseRule {
		return lintPhraseRule{name: name, pattern: lintWordPattern(expr), suggestion: suggestion}
	}
	rules := []lintPhraseRule{
		p("human error", `(?:human|people) (?:errors?|mistakes?|misunderstandings?|oversights?|negligence)|(?:operator|user|pilot|engineer|engineering|developer|admin) (?:error|mistake|misunderstanding|oversight|negligence)`, conditions),
		{name: "'s fault", pattern: lintWordPattern(`[\p{L}\p{N}_@-]+'s? fault|(?:my|his|her|their|your) (?:fault|mistake|screw-up)`), suggestion: fault, exempt: notNobody},
		{name: "fault of", pattern: lintWordPattern(`(?:the )?fault (?:of|lies with)`), suggestion: fault, person: true,
			exempt: func(s string, loc []int) bool { return lintNegated(strings.ToLower(strings.TrimSpace(s[:loc[0]]))) }},
		{name: "mistake by", pattern: lintWordPattern(`(?:mistake|slip|oversight)s? (?:by|of|on the part of)`), suggestion: mistake, person: true},
		p("at fault", `(?:was|were|is|are|am|be) (?:at fault|to blame|responsible for (?:the|this) (?:outage|incident|mistake|failure))`, fault),
		p("careless", `careless(?:ly|ness)?|negligen(?:t|tly|ce)|reckless(?:ly|ness)?|slopp(?:y|ily|iness)|incompeten(?:t|ce|tly)|irresponsibl[ey]|clueless|foolish(?:ly)?|idiot(?:ic|s)?|inept`, character),
		{name: "careless", pattern: lintWordPattern(`(?:not|without being|wasn't|weren't|isn't) (?:very |quite )?(?:thorough|careful|diligent|attentive)`),
			suggestion: character, anyPerson: true},
		{name: "lazy", pattern: lintWordPattern(`laziness|(?:was|were|is|are|am|be|being|been|too|so|very|pretty|got|get|felt|feel|seems?|seemed|a bit|a little) (?:lazy|dumb)|(?:lazy|dumb) (?:engineers?|developers?|operators?|person|people|admins?|devs?|reviewers?|team|mistake|error)|(?:something|anything) (?:dumb|silly)|stupid(?:ly|ity)?`), suggestion: character, exempt: notLazyLoading, anyPerson: true},
		{name: "blame", pattern: lintWordPattern(`blam(?:e|ed|es|ing)`), suggestion: blame, exempt: notBlameless},
		p("dropped the ball", `dropped the ball|asleep at the wheel|(?:messed|screwed|fouled) (?:it |this |things )?up|botched|fat[- ]finger(?:ed|ing)?|cowboy(?:ed|ing)?|went rogue|i told you so|told you so`, idiom),
		p("the burden is on you", `(?:burden|onus|responsibility|blame) (?:[\p{L}\p{N}'-]+ ){0,5}(?:is|was|lies|falls|rests) (?:squarely |entirely )?on (?:you|him|her|them)`, fault),
	}
	keys := [][]string{
		{"error", "mistake", "misunderstanding", "oversight", "negligence"},
		{"fault", "mistake", "screw"},
		{"fault"},
		{"mistake", "slip", "oversight"},
		{"fault", "blame", "responsible"},
		{"careless", "negligen", "reckless", "slopp", "incompeten", "irresponsib", "clueless", "foolish", "idiot", "inept"},
		{"thorough", "careful", "diligent", "attentive"},
		{"laz", "dumb", "silly", "stupid"},
		{"blam"},
		{"ball", "wheel", "up", "botch", "finger", "cowboy", "rogue", "told you"},
		{"burden", "onus", "responsibility", "blame"},
	}
	for i := range rules {
		rules[i].keys = keys[i]
	}
	return rules
}

var lintPhraseBuiltins = lintPhraseRules()

// lintBlameSentence returns the blameful wording of one sentence, at most one finding per rule name.
func lintBlameSentence(s *lintSentence, people *lintPeople, custom []lintBlamePhrase, suggestions map[string]string, customOnly bool) []lintMatch {
	a := newLintSentenceActors(s, people)
	var out []lintMatch
	seen := map[string]bool{}
	add := func(m lintMatch) {
		for _, o := range out {
			if m.start < o.end && o.start < m.end {
				return
			}
		}
		if seen[m.rule] {
			return
		}
		seen[m.rule] = true
		if sug, ok := suggestions[m.rule]; ok && sug != "" {
			m.suggestion = sug
		}
		out = append(out, m)
	}
	for _, p := range custom {
		for _, loc := range lintFindWords(p.pattern, s.text) {
			m := lintMatch{rule: p.name, start: loc[0], end: loc[1], suggestion: p.suggestion}
			m.from, m.to = a.tokenRange(loc)
			m.actor = a.actorNear(m.from, m.to)
			add(m)
		}
	}
	if customOnly {
		return out
	}
	lower := strings.ToLower(s.text)
	for _, r := range lintPhraseBuiltins {
		if !r.mayMatch(lower) {
			continue
		}
		for _, loc := range lintFindWords(r.pattern, s.text) {
			if r.exempt != nil && r.exempt(s.text, loc) {
				continue
			}
			m := lintMatch{rule: r.name, start: loc[0], end: loc[1], suggestion: r.suggestion}
			m.from, m.to = a.tokenRange(loc)
			if r.person {
				act := a.after(m.to)
				if act.kind != actorPerson && act.kind != actorGuess {
					continue
				}
				m.actor = act
			} else {
				m.actor = a.actorNear(m.from, m.to)
			}
			if r.anyPerson && m.actor.kind != actorPerson && m.actor.kind != actorWe && m.actor.kind != actorThey {
				if m.actor = a.anyPerson(m.from, m.to); m.actor.kind == actorNone {
					continue
				}
			}
			add(m)
		}
	}
	if strings.Contains(lower, "some") { // "someone", "somebody"
		if loc := lintSpeculation.FindStringIndex(s.text); loc != nil {
			add(lintMatch{rule: "someone", start: loc[0], end: loc[1], actor: lintActor{actorPerson, "someone"},
				suggestion: `say what the records show, with the system in the subject: "the DNS change log has no entry for the new record"`})
		}
	}
	if m := a.blameQuestion(); m != nil {
		add(*m)
	}
	if m := a.counterfactual(); m != nil {
		add(*m)
	}
	if m := a.ownedFailing(); m != nil {
		add(*m)
	}
	for _, m := range a.blameVerbs() {
		add(m)
	}
	return out
}

func (a *lintSentenceActors) tokenRange(loc []int) (int, int) {
	from, to := len(a.s.toks), 0
	for i, t := range a.s.toks {
		if t.start < loc[1] && t.end > loc[0] {
			from, to = min(from, i), max(to, i+1)
		}
	}
	return from, to
}

// after returns the person named right after token i: "the fault of the contractor".
func (a *lintSentenceActors) after(i int) lintActor {
	for k := i; k < len(a.s.toks) && k < i+4 && !a.s.toks[k].punct; k++ {
		w := a.s.toks[k].lower
		if w == "the" || w == "a" || w == "an" || w == "our" || w == "new" || w == "junior" || w == "senior" || w == "that" || w == "this" {
			continue
		}
		act := a.classify(k, true)
		if act.kind == actorPerson || act.kind == actorGuess || act.kind == actorPossessor {
			return lintActor{actorPerson, act.name}
		}
		if k+1 < len(a.s.toks) && lintRoleNouns[a.s.toks[k+1].lower] {
			continue // "the new hire", "the on-call engineer"
		}
		break
	}
	return lintActor{}
}

// actorNear returns the person a wording at tokens [from, to) is about, when it names one: its subject, else
// the person nearest before it in its clause, else the person right after it.
func (a *lintSentenceActors) actorNear(from, to int) lintActor {
	if from < len(a.s.toks) {
		if act := a.subject(from); act.kind == actorPerson || act.kind == actorGuess {
			return act
		}
	}
	if act := a.nearest(from); act.kind == actorPerson {
		return act
	}
	return a.after(to)
}

// anyPerson returns the first person the sentence names outside tokens [from, to).
func (a *lintSentenceActors) anyPerson(from, to int) lintActor {
	for i := range a.s.toks {
		if i >= from && i < to {
			continue
		}
		if act := a.classify(i, false); act.kind == actorPerson || act.kind == actorPossessor || act.kind == actorWe || act.kind == actorThey {
			return act
		}
	}
	return lintActor{}
}
