// Package defaults fills in the fields of an options struct that were left
// unset: the "zero means the default" rule of every Options and Config, in
// one place.
package defaults

// Positive sets *v to def when *v is zero or negative (a count, a size or
// a duration that was not given).
func Positive[T ~int | ~int64 | ~float64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Zero sets *v to def when *v is its type's zero value (nil for a pointer
// or an interface, 0, "").
func Zero[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
