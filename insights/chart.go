package insights

import (
	"math"
	"strconv"
	"time"
)

// The charts are bar charts drawn as inline SVG on the server: the page needs no script and reaches
// nothing outside Hindsight.

// series is one set of bars of a chart: a value per group.
type series struct {
	Name   string
	Class  string // the CSS class its bars and legend swatch take
	Values []float64
}

// chart is a bar chart laid out for SVG: every coordinate is in the SVG's own units.
type chart struct {
	ID, Title     string
	Width, Height float64
	// Plot is the drawing area: bars rise from its bottom edge.
	PlotLeft, PlotTop, PlotRight, PlotBottom float64
	Bars                                     []bar
	Ticks                                    []tick
	Labels                                   []label
	Legend                                   []series
	// Empty says there is nothing to draw: every value is zero.
	Empty bool
}

type bar struct {
	X, Y, W, H float64
	Class      string
	// Tip is the bar's tooltip: its group, series and value.
	Tip string
}

type tick struct {
	Y    float64
	Text string
}

type label struct {
	X    float64
	Text string
}

// unit says how a chart's values read: counts, or durations in seconds.
type unit int

const (
	counts unit = iota
	seconds
)

const (
	chartWidth  = 640
	chartHeight = 220
	marginLeft  = 52
	marginRight = 8
	marginTop   = 10
	marginBelow = 34
	// maxLabels bounds the group labels under a chart; in between, groups go unlabelled.
	maxLabels = 12
	// labelChars bounds a label's length.
	labelChars = 14
)

// layoutChart lays a bar chart out: groups side by side, one bar per series in each, on a scale from zero
// to a round value above the largest.
func layoutChart(id, title string, groups []string, ss []series, u unit) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, Height: chartHeight,
		PlotLeft: marginLeft, PlotTop: marginTop, PlotRight: chartWidth - marginRight, PlotBottom: chartHeight - marginBelow}
	if len(ss) > 1 {
		c.Legend = ss
	}
	top := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			top = math.Max(top, v)
		}
	}
	if top <= 0 || len(groups) == 0 {
		c.Empty = true
		return c
	}
	scale, unitName := durationUnit(top, u)
	step := niceStep(top / scale)
	ceiling := math.Ceil(top/scale/step) * step
	plotH := c.PlotBottom - c.PlotTop
	y := func(v float64) float64 { return c.PlotBottom - v/scale/ceiling*plotH }
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	for k := 0; k <= int(math.Round(ceiling/step)); k++ {
		v := float64(k) * step
		c.Ticks = append(c.Ticks, tick{Y: round(y(v * scale)), Text: strconv.FormatFloat(v, 'f', decimals, 64) + unitName})
	}
	groupW := (c.PlotRight - c.PlotLeft) / float64(len(groups))
	barW := groupW * 0.8 / float64(len(ss))
	every := (len(groups) + maxLabels - 1) / maxLabels
	for i, g := range groups {
		x0 := c.PlotLeft + float64(i)*groupW + groupW*0.1
		for j, s := range ss {
			if i >= len(s.Values) || s.Values[i] <= 0 {
				continue
			}
			v := s.Values[i]
			top := y(v)
			c.Bars = append(c.Bars, bar{X: round(x0 + float64(j)*barW), Y: round(top), W: round(barW), H: round(c.PlotBottom - top),
				Class: s.Class, Tip: g + " · " + s.Name + ": " + formatValue(v, u)})
		}
		if i%every == 0 {
			c.Labels = append(c.Labels, label{X: round(c.PlotLeft + (float64(i)+0.5)*groupW), Text: shorten(g)})
		}
	}
	return c
}

// durationUnit picks the unit a chart of durations reads in from its largest value: minutes, hours or days.
func durationUnit(top float64, u unit) (scale float64, name string) {
	if u == counts {
		return 1, ""
	}
	switch {
	case top < 2*3600:
		return 60, "m"
	case top < 72*3600:
		return 3600, "h"
	}
	return 86400, "d"
}

// niceStep is a round step (1, 2 or 5 times a power of ten) that cuts 0..top into at most five parts.
func niceStep(top float64) float64 {
	raw := top / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}

func formatValue(v float64, u unit) string {
	if u == seconds {
		return FormatDuration(time.Duration(v) * time.Second)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func round(v float64) float64 { return math.Round(v*10) / 10 }

func shorten(s string) string {
	r := []rune(s)
	if len(r) <= labelChars {
		return s
	}
	return string(r[:labelChars-1]) + "…"
}
