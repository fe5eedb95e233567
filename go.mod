module github.com/qtshm/qtshm-go

go 1.26.0

require (
	golang.org/x/sys v0.49.0
	golang.org/x/text v0.44.0
)
