package qtkey

// resolveOutcome is how realpath(3) ended for the temp path.
type resolveOutcome int

const (
	found   resolveOutcome = iota // resolved
	missing                       // ENOENT or ENOTDIR: Qt's temp path is ""
	failed                        // any other error: Qt keeps the cleaned path
)
