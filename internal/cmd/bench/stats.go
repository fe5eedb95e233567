//go:build linux

package main

import (
	"math"
	"slices"
)

// median is the middle value of xs (the mean of the two middle ones for an even count); NaN
// for none.
func median(xs []float64) float64 { return quantile(xs, 0.5) }

// quantile is the q-quantile of xs (0 ≤ q ≤ 1) by linear interpolation between the closest
// ranks; NaN for none.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
}

// spread is (max − min) / median of xs: how much the rounds disagreed; 0 for fewer than two.
func spread(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m := median(xs)
	if m == 0 {
		return 0
	}
	return (slices.Max(xs) - slices.Min(xs)) / math.Abs(m)
}
