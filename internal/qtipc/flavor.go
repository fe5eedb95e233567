package qtipc

// Flavor selects which Qt version's behaviour the pure backend reproduces where Qt versions
// differ for QString keys. Qt processes of every flavour share segments and locks with each
// other (except Qt 6.6.0, which is unsupported); the flavours differ in error texts and in
// what happens to a stale segment. The native backend ignores it: it behaves like the Qt it
// was built against.
type Flavor int

const (
	// FlavorQt515 is Qt 5.15 and Qt 6.0–6.5 (the default). After a failed create, attach
	// joins a stale segment (one with no process attached).
	FlavorQt515 Flavor = iota
	// FlavorQt661 is Qt 6.6.1 and later (6.7, 6.8, …). A stale segment whose key this object
	// has computed is removed by its next create/attach and by Close; unknown errno texts read
	// "unknown error: <strerror>"; semaphore failures append the semaphore's text. One Qt 6.6+
	// quirk is deliberately not reproduced: its detach() returns false when the segment was
	// already removed by someone else; Detach returns nil then (docs/qt-semantics.md).
	FlavorQt661
)

// String names the flavour.
func (f Flavor) String() string {
	switch f {
	case FlavorQt515:
		return "Qt5.15"
	case FlavorQt661:
		return "Qt6.6.1+"
	}
	return "Flavor(?)"
}

// Qt66 reports whether f is Qt 6.6.1 or later.
func (f Flavor) Qt66() bool { return f >= FlavorQt661 }
